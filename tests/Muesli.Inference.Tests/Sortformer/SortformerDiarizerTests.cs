using Muesli.Inference.Diarization;
using Muesli.Inference.Diarization.Sortformer;
using Muesli.Inference.Features;
using Muesli.Inference.Tests.ModelBuilding;

namespace Muesli.Inference.Tests.Sortformer;

public sealed class SortformerDiarizerTests
{
    private const int Speakers = 4;

    // Small enough that a few seconds make many chunks, FIFO overflows and cache compressions.
    private static readonly SortformerOptions Small = new()
    {
        Streaming = new SortformerStreaming
        {
            ChunkFrames = 4,
            LeftContextFrames = 1,
            RightContextFrames = 1,
            FifoFrames = 6,
            UpdatePeriodFrames = 5,
            CacheFrames = 16,
        },
    };

    private static SortformerDiarizer Diarizer(OnnxGraph graph, SortformerOptions? options = null, ISpeakerEmbedder? embedder = null) =>
        new("tiny", new SortformerModel(new OnnxSessionFactory(DeviceOptions.Cpu).Create(graph.ToBytes(), "model"), "<tiny>"), embedder, options ?? Small);

    /// <summary>Features whose bin 0 is <paramref name="bin0"/> and bin 1 <paramref name="bin1"/> of the frame's encoder frame (frame / 8).</summary>
    private static TimeMajorFeatures Features(int frames, Func<int, float> bin0, Func<int, float> bin1)
    {
        var data = new float[frames * TinySortformerModel.Features];
        for (var t = 0; t < frames; t++)
        {
            data[t * TinySortformerModel.Features] = bin0(t / 8);
            data[(t * TinySortformerModel.Features) + 1] = bin1(t / 8);
        }

        return new TimeMajorFeatures(data, frames, TinySortformerModel.Features);
    }

    /// <summary>The chunks of the small layout: 4 encoder frames each (the last one shorter), as encoder frame ranges.</summary>
    private static IEnumerable<(int First, int End)> EncoderChunks(int featureFrames)
    {
        var outputFrames = (featureFrames + 7) / 8;
        for (var first = 0; first < outputFrames; first += 4)
        {
            yield return (first, Math.Min(first + 4, outputFrames));
        }
    }

    [Fact]
    public void Every_encoder_frame_comes_out_once_in_order_across_chunk_boundaries()
    {
        // 333 feature frames: ten chunks of 32 and a last one of 13, which makes 2 encoder frames.
        using var diarizer = Diarizer(TinySortformerModel.Graph());
        var speaking = new Func<int, float>(k => k is >= 5 and < 17 ? 0.9f : 0.1f);

        var activity = diarizer.Activities(Features(333, speaking, k => k / 1000f));

        Assert.Equal((333 + 7) / 8, activity.Frames);
        Assert.Equal(Speakers, activity.Speakers);
        Assert.Equal(0.08, activity.FrameSeconds, 1e-12);
        for (var k = 0; k < activity.Frames; k++)
        {
            Assert.Equal(speaking(k), activity[k, 0], 1e-6f);
            Assert.Equal(k / 1000f, activity[k, 1], 1e-6f);
        }
    }

    [Fact]
    public void The_fifo_and_the_speaker_cache_given_to_each_run_stay_within_their_lengths()
    {
        using var diarizer = Diarizer(TinySortformerModel.Graph(speaker2Length: "fifo_lengths", speaker3Length: "spkcache_lengths"));

        var activity = diarizer.Activities(Features(333 + (64 * 8), k => k % 3 == 0 ? 0.9f : 0.2f, k => k % 5 == 0 ? 0.8f : 0.1f));

        // What each run should be given: chunks join the FIFO; an overflow moves max(update period, overflow) frames
        // to the cache, which is compressed back to its length when it overflows.
        int fifo = 0, cache = 0;
        foreach (var (first, end) in EncoderChunks(333 + (64 * 8)))
        {
            for (var k = first; k < end; k++)
            {
                Assert.Equal(fifo, (int)MathF.Round(activity[k, 2] * 1000));
                Assert.Equal(cache, (int)MathF.Round(activity[k, 3] * 1000));
            }

            fifo += end - first;
            if (fifo > 6)
            {
                var popped = Math.Min(Math.Max(5, fifo - 6), fifo);
                fifo -= popped;
                cache = Math.Min(cache + popped, 16);
            }
        }

        Assert.Equal(16, cache);
        Assert.InRange(Enumerable.Range(0, activity.Frames).Max(k => activity[k, 2] * 1000), 0, 6.001);
        Assert.InRange(Enumerable.Range(0, activity.Frames).Max(k => activity[k, 3] * 1000), 0, 16.001);
    }

    [Fact]
    public void Each_run_gets_its_chunk_with_one_encoder_frame_of_context_each_side_clipped_at_the_edges()
    {
        // 325 frames: the last chunk holds 5 frames, so the chunk before it gets only 5 frames of right context.
        using var diarizer = Diarizer(TinySortformerModel.Graph(speaker2Length: "chunk_lengths"));

        var activity = diarizer.Activities(Features(325, _ => 0f, _ => 0f));

        foreach (var (first, end) in EncoderChunks(325))
        {
            var start = first * 8;
            var stop = Math.Min(end * 8, 325);
            var expected = Math.Min(8, start) + (stop - start) + Math.Min(8, 325 - stop);
            for (var k = first; k < end; k++)
            {
                Assert.Equal(expected, (int)MathF.Round(activity[k, 2] * 1000));
            }
        }
    }

    [Fact]
    public void Features_made_chunk_by_chunk_from_audio_equal_those_of_the_whole_signal()
    {
        var samples = Signals.Speechlike((3 * 16000) + 123, seed: 7);
        using var diarizer = Diarizer(TinySortformerModel.Graph(speaker0Bin: 20, speaker1Bin: 97));
        var whole = new NemoMelFrontEnd(128, normalize: false).Compute(samples).ToTimeMajor();

        var fromAudio = diarizer.Activities(samples);
        var fromFeatures = diarizer.Activities(whole);

        Assert.Equal(fromFeatures.Frames, fromAudio.Frames);
        for (var k = 0; k < fromAudio.Frames; k++)
        {
            Assert.Equal(fromFeatures[k, 0], fromAudio[k, 0], 1e-4f);
            Assert.Equal(fromFeatures[k, 1], fromAudio[k, 1], 1e-4f);
        }
    }

    [Fact]
    public void Two_overlapping_voices_become_two_labelled_segments()
    {
        using var diarizer = Diarizer(ToneModel());

        var result = diarizer.Diarize(TwoVoices());

        Assert.Equal(["SPEAKER_00", "SPEAKER_01"], result.Segments.Select(s => s.Speaker));
        AssertSegment(result.Segments[0], 1, 4);
        AssertSegment(result.Segments[1], 3, 6);
        Assert.Empty(result.Embeddings);
    }

    [Fact]
    public void Each_speaker_is_embedded_from_its_audio_without_overlap()
    {
        var embedder = new RecordingEmbedder();
        using var diarizer = Diarizer(ToneModel(), embedder: embedder);

        var result = diarizer.Diarize(TwoVoices());

        Assert.Equal(["SPEAKER_00", "SPEAKER_01"], result.Embeddings.Keys.Order());
        Assert.All(result.Embeddings.Values, e => Assert.Equal(1.0, Math.Sqrt(e.Sum(v => v * v)), 1e-5));

        // Speaker 0 alone from 1 s to 3 s, speaker 1 alone from 4 s to 6 s, each within one 80 ms frame.
        var clips = Assert.Single(embedder.Calls);
        Assert.Equal(2, clips.Length);
        Assert.All(clips, clip => Assert.InRange(clip.Length / 16000.0, 2 - 0.17, 2 + 0.17));
        Assert.True(ToneEnergy(clips[0], 1000) > 100 * ToneEnergy(clips[0], 3000), "speaker 0's clip holds speaker 1's voice");
        Assert.True(ToneEnergy(clips[1], 3000) > 100 * ToneEnergy(clips[1], 1000), "speaker 1's clip holds speaker 0's voice");
    }

    [Fact]
    public void Embedding_clips_are_cut_to_the_seconds_asked_for()
    {
        var embedder = new RecordingEmbedder();
        using var diarizer = Diarizer(ToneModel(), Small with { EmbeddingSeconds = 1.5 }, embedder);

        diarizer.Diarize(TwoVoices());

        Assert.All(Assert.Single(embedder.Calls), clip => Assert.InRange(clip.Length, 24000 - 1, 24000 + 1));
    }

    [Fact]
    public void Silence_has_no_segments_and_nothing_to_embed()
    {
        var embedder = new RecordingEmbedder();
        using var diarizer = Diarizer(ToneModel(), embedder: embedder);

        var result = diarizer.Diarize(new float[3 * 16000]);

        Assert.Empty(result.Segments);
        Assert.Empty(result.Embeddings);
        Assert.Empty(embedder.Calls);
        Assert.Same(DiarizationResult.Empty, diarizer.Diarize([]));
    }

    [Fact]
    public void The_layout_comes_from_the_options_else_the_model_metadata_else_the_defaults()
    {
        var graph = TinySortformerModel.Graph().Metadata("chunk_len", "7").Metadata("fifo_len", "9").Metadata("spkcache_len", "40");

        using var fromMetadata = Diarizer(graph, SortformerOptions.Default);
        using var fromOptions = Diarizer(graph, new SortformerOptions { Streaming = new SortformerStreaming { ChunkFrames = 3, CacheFrames = 20 } });
        using var fromDefaults = Diarizer(TinySortformerModel.Graph(), SortformerOptions.Default);

        Assert.Equal(new SortformerLayout(7, 1, 1, 9, 144, 40), fromMetadata.Layout);
        Assert.Equal(new SortformerLayout(3, 1, 1, 9, 144, 20), fromOptions.Layout);
        Assert.Equal(new SortformerLayout(124, 1, 1, 124, 144, 188), fromDefaults.Layout);
    }

    [Fact]
    public void Default_layout_streams_a_long_window_in_chunks_of_124_frames()
    {
        // 30 s: 3001 feature frames, chunks of 992, 376 encoder frames.
        using var diarizer = Diarizer(TinySortformerModel.Graph(), SortformerOptions.Default);

        var activity = diarizer.Activities(Features(3001, k => k % 7 == 0 ? 0.9f : 0.1f, k => k / 1000f));

        Assert.Equal(376, activity.Frames);
        for (var k = 0; k < activity.Frames; k++)
        {
            Assert.Equal(k / 1000f, activity[k, 1], 1e-6f);
        }
    }

    private static void AssertSegment(Core.Transcripts.SpeakerSegment segment, double start, double end)
    {
        Assert.InRange(segment.Start, start - 0.09, start + 0.09);
        Assert.InRange(segment.End, end - 0.09, end + 0.09);
    }

    /// <summary>A model whose speaker 0 hears the mel bin at 1 kHz and speaker 1 the one at 3 kHz.</summary>
    private static OnnxGraph ToneModel()
    {
        var filters = new NemoMelFrontEnd(128, normalize: false).Filterbank;
        int Nearest(double hz) => Enumerable.Range(0, filters.Filters).MinBy(f => Math.Abs(filters.CentreHz(f) - hz));
        return TinySortformerModel.Graph(speaker0Bin: Nearest(1000), speaker1Bin: Nearest(3000), sigmoid: true);
    }

    /// <summary>8 s: a 1 kHz voice from 1 s to 4 s, a 3 kHz voice from 3 s to 6 s.</summary>
    private static float[] TwoVoices()
    {
        var samples = new float[8 * 16000];
        for (var n = 0; n < samples.Length; n++)
        {
            var t = n / 16000.0;
            samples[n] = (float)((t is >= 1 and < 4 ? 0.5 * Math.Sin(2 * Math.PI * 1000 * t) : 0)
                + (t is >= 3 and < 6 ? 0.5 * Math.Sin(2 * Math.PI * 3000 * t) : 0));
        }

        return samples;
    }

    /// <summary>Energy of a clip at one frequency (a single DFT bin, Goertzel-free).</summary>
    private static double ToneEnergy(float[] clip, double hz)
    {
        double re = 0, im = 0;
        for (var n = 0; n < clip.Length; n++)
        {
            re += clip[n] * Math.Cos(2 * Math.PI * hz * n / 16000);
            im += clip[n] * Math.Sin(2 * Math.PI * hz * n / 16000);
        }

        return (re * re) + (im * im);
    }

    private sealed class RecordingEmbedder : ISpeakerEmbedder
    {
        public List<float[][]> Calls { get; } = [];

        public string Name => "recording";

        public int Dimension => 3;

        public IReadOnlyList<float[]> Embed(IReadOnlyList<ReadOnlyMemory<float>> clips16k)
        {
            Calls.Add(clips16k.Select(c => c.ToArray()).ToArray());
            return clips16k.Select(c => new[] { c.Length / 16000f, 3f, 4f }).ToArray();
        }

        public void Dispose()
        {
        }
    }
}
