using Muesli.Core.Merge;
using Muesli.Core.Transcripts;
using Muesli.Inference.Asr;
using Muesli.Inference.Diarization;
using Muesli.Inference.Vad;

namespace Muesli.Inference.Tests.Pipeline;

public sealed class TranscriptionPipelineTests
{
    private static readonly ScriptedVad AllSpeech = new(seconds => [new SpeechRegion(0, seconds)]);

    [Fact]
    public void Every_word_and_segment_time_moves_by_the_timestamp_offset()
    {
        var asr = new ScriptedAsr(_ => [new Word("alpha", 1.0, 1.3), new Word("bravo", 2.5, 2.8)]);
        var diarizer = new ScriptedDiarizer([new SpeakerSegment(0.5, 2.0, "A"), new SpeakerSegment(2.2, 3.0, "B")]);
        using var pipeline = new TranscriptionPipeline(asr, diarizer, AllSpeech, new PipelineOptions());

        var result = pipeline.Run(new float[16000 * 4], timestampOffset: 100);

        Assert.Equal([(101.0, 101.3), (102.5, 102.8)], result.Words.Select(w => (w.Start, w.End)));
        Assert.Equal([(100.5, 102.0), (102.2, 103.0)], result.Segments.Select(s => (s.Start, s.End)));
        Assert.Equal(["A", "B"], result.LabelledWords.Select(w => w.Speaker));
        Assert.Equal([(101.0, 101.3, "alpha"), (102.5, 102.8, "bravo")], result.Turns.Select(t => (t.Start, t.End, t.Text)));
        Assert.Equal(100, result.Start);
        Assert.Equal(4, result.Duration);
    }

    [Fact]
    public void Without_a_diarizer_every_word_belongs_to_the_single_speaker()
    {
        using var pipeline = new TranscriptionPipeline(new ScriptedAsr(_ => [new Word("alpha", 1, 1.2)]), null, AllSpeech, new PipelineOptions());
        var result = pipeline.Run(new float[16000], 0);
        Assert.Equal(TranscriptionPipeline.SingleSpeaker, Assert.Single(result.LabelledWords).Speaker);
    }

    [Fact]
    public void A_window_without_speech_is_neither_transcribed_nor_diarized()
    {
        var asr = new ScriptedAsr(_ => [new Word("ghost", 1, 1.2)]);
        var diarizer = new ScriptedDiarizer([new SpeakerSegment(0, 1, "A")]);
        using var pipeline = new TranscriptionPipeline(asr, diarizer, new ScriptedVad(_ => []), new PipelineOptions());

        var result = pipeline.Run(new float[16000 * 10], 50);

        Assert.Empty(result.Words);
        Assert.Equal(0, asr.Calls);
        Assert.Equal(0, diarizer.Calls);
        Assert.Equal(0, result.SpeechSeconds);
        Assert.Equal(0, result.AsrSeconds);
    }

    [Fact]
    public void Each_speech_island_is_transcribed_on_its_own_and_its_words_are_shifted_by_its_start()
    {
        // Speech at 1–3 s and 40–42 s of a minute: two islands of 2 s padded by 0.4 s each side, nothing in between.
        var asr = new ScriptedAsr(_ => [new Word("alpha", 0.5, 0.8)]);
        var vad = new ScriptedVad(_ => [new SpeechRegion(1, 3), new SpeechRegion(40, 42)]);
        using var pipeline = new TranscriptionPipeline(asr, null, vad, new PipelineOptions());

        var result = pipeline.Run(new float[16000 * 60], timestampOffset: 100);

        Assert.Equal([(int)(2.8 * 16000), (int)(2.8 * 16000)], asr.Lengths);
        Assert.Equal([(0.6, 2.8), (39.6, 2.8)], result.Islands.Select(i => (Math.Round(i.Start, 9), Math.Round(i.Duration, 9))));
        Assert.Equal([101.1, 140.1], result.Words.Select(w => Math.Round(w.Start, 9)));
        Assert.Equal(5.6, result.AsrSeconds, 9);
        Assert.Equal(4, result.SpeechSeconds, 9);
    }

    [Fact]
    public void The_diarizer_hears_the_islands_and_digital_silence_everywhere_else()
    {
        var diarizer = new ScriptedDiarizer([]);
        var vad = new ScriptedVad(_ => [new SpeechRegion(1, 3), new SpeechRegion(40, 42)]);
        using var pipeline = new TranscriptionPipeline(new ScriptedAsr(_ => []), diarizer, vad, new PipelineOptions());
        var window = Enumerable.Repeat(0.25f, 16000 * 60).ToArray();

        pipeline.Run(window, 0);

        var heard = Assert.Single(diarizer.Heard);
        Assert.Equal(window.Length, heard.Length);
        bool InIsland(int i) => (i >= 0.6 * 16000 && i < 3.4 * 16000) || (i >= 39.6 * 16000 && i < 42.4 * 16000);
        Assert.All(Enumerable.Range(0, heard.Length).Where(i => !InIsland(i)), i => Assert.Equal(0f, heard[i]));
        Assert.All(Enumerable.Range(0, heard.Length).Where(InIsland), i => Assert.Equal(0.25f, heard[i]));
    }

    [Fact]
    public void Without_islands_the_whole_window_is_transcribed_once_when_it_holds_speech()
    {
        var asr = new ScriptedAsr(_ => []);
        var vad = new ScriptedVad(_ => [new SpeechRegion(1, 3), new SpeechRegion(40, 42)]);
        using var pipeline = new TranscriptionPipeline(asr, null, vad, new PipelineOptions { Islands = null });

        var result = pipeline.Run(new float[16000 * 60], 0);

        Assert.Equal([16000 * 60], asr.Lengths);
        Assert.Equal(60, result.AsrSeconds);
    }

    [Fact]
    public void Without_a_vad_the_energy_detector_keeps_digital_silence_from_asr()
    {
        var asr = new ScriptedAsr(_ => []);
        using var pipeline = new TranscriptionPipeline(asr, null, null, new PipelineOptions());

        // A second of a 1 kHz tone at −30 dBFS with a −60 dBFS floor, then 80 s of digital silence.
        var random = new Random(3);
        var window = Enumerable.Range(0, 16000 * 81)
            .Select(i => i < 16000 ? (float)((0.045 * Math.Sin(2 * Math.PI * 1000 * i / 16000)) + (0.0017 * ((2 * random.NextDouble()) - 1))) : 0f)
            .ToArray();
        var result = pipeline.Run(window, 0);

        var island = Assert.Single(result.Islands);
        Assert.InRange(island.Start, 0, 0.05);
        Assert.InRange(island.End, 1.0, 1.5);
        Assert.Equal([island.Duration], asr.Lengths.Select(n => Math.Round(n / 16000.0, 4)));
    }

    private sealed class ScriptedAsr(Func<float[], IReadOnlyList<Word>> hear) : IAsrEngine
    {
        public int Calls { get; private set; }

        public List<int> Lengths { get; } = [];

        public string Name => "scripted";

        public IReadOnlyList<Word> Transcribe(ReadOnlySpan<float> samples16k)
        {
            Calls++;
            Lengths.Add(samples16k.Length);
            return hear(samples16k.ToArray());
        }

        public void Dispose()
        {
        }
    }

    private sealed class ScriptedDiarizer(IReadOnlyList<SpeakerSegment> segments) : IDiarizationEngine
    {
        public int Calls { get; private set; }

        public string Name => "scripted";

        public List<float[]> Heard { get; } = [];

        public DiarizationResult Diarize(ReadOnlySpan<float> samples16k)
        {
            Calls++;
            Heard.Add(samples16k.ToArray());
            return new DiarizationResult(segments, new Dictionary<string, float[]>());
        }

        public void Dispose()
        {
        }
    }

    private sealed class ScriptedVad(Func<double, IReadOnlyList<SpeechRegion>> regions) : IVoiceActivityDetector
    {
        public string Name => "scripted";

        public double FrameSeconds => 0.032;

        public float[] Probabilities(ReadOnlySpan<float> samples16k) => [];

        public IReadOnlyList<SpeechRegion> Detect(ReadOnlySpan<float> samples16k) => regions(samples16k.Length / 16000.0);

        public void Dispose()
        {
        }
    }
}
