using Muesli.Core.Merge;
using Muesli.Core.Transcripts;
using Muesli.Inference.Asr;
using Muesli.Inference.Diarization;
using Muesli.Inference.Vad;

namespace Muesli.Inference.Tests.Pipeline;

public sealed class TranscriptionPipelineTests
{
    [Fact]
    public void Every_word_and_segment_time_moves_by_the_timestamp_offset()
    {
        var asr = new ScriptedAsr(_ => [new Word("alpha", 1.0, 1.3), new Word("bravo", 2.5, 2.8)]);
        var diarizer = new ScriptedDiarizer([new SpeakerSegment(0.5, 2.0, "A"), new SpeakerSegment(2.2, 3.0, "B")]);
        using var pipeline = new TranscriptionPipeline(asr, diarizer, null, new PipelineOptions());

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
        using var pipeline = new TranscriptionPipeline(new ScriptedAsr(_ => [new Word("alpha", 1, 1.2)]), null, new MergeOptions());
        var result = pipeline.Run(new float[16000], 0);
        Assert.Equal(TranscriptionPipeline.SingleSpeaker, Assert.Single(result.LabelledWords).Speaker);
    }

    [Fact]
    public void A_window_without_speech_is_neither_transcribed_nor_diarized()
    {
        var asr = new ScriptedAsr(_ => [new Word("ghost", 1, 1.2)]);
        var diarizer = new ScriptedDiarizer([new SpeakerSegment(0, 1, "A")]);
        using var pipeline = new TranscriptionPipeline(asr, diarizer, new ScriptedVad([]), new PipelineOptions());

        var result = pipeline.Run(new float[16000 * 10], 50);

        Assert.Empty(result.Words);
        Assert.Equal(0, asr.Calls);
        Assert.Equal(0, diarizer.Calls);
        Assert.Equal(0, result.SpeechSeconds);
    }

    [Fact]
    public void Diarized_speech_left_nearly_without_words_is_re_transcribed_on_its_own_within_the_vads_speech()
    {
        // An ASR that collapses on the long window (no words after 4 s) but hears a short clip.
        var asr = new ScriptedAsr(samples => samples.Length > 16000 * 10
            ? [new Word("alpha", 1.0, 1.3), new Word("bravo", 2.0, 2.3)]
            : [new Word("charlie", 0.5, 0.8), new Word("delta", 1.5, 1.8)]);
        var diarizer = new ScriptedDiarizer([new SpeakerSegment(0.5, 3.5, "A"), new SpeakerSegment(5.0, 9.0, "B"), new SpeakerSegment(12.0, 13.0, "C")]);
        var vad = new ScriptedVad([new SpeechRegion(0.4, 3.6), new SpeechRegion(6.0, 9.5), new SpeechRegion(11.5, 13.5)]);
        using var pipeline = new TranscriptionPipeline(asr, diarizer, vad, new PipelineOptions());

        var result = pipeline.Run(new float[16000 * 20], 0);

        // B's 5–9 s is clipped by the VAD to 6–9 s and redone; C is shorter than 1.5 s; A has its words.
        Assert.Equal(1, result.Recovered);
        Assert.Equal(2, asr.Calls);
        Assert.Equal(3 * 16000, asr.Lengths[1]);
        Assert.Equal(["alpha", "bravo", "charlie", "delta"], result.Words.Select(w => w.Text));
        Assert.Equal([(6.5, 6.8), (7.5, 7.8)], result.Words.Skip(2).Select(w => (w.Start, w.End)));
        Assert.Equal(["B", "B"], result.LabelledWords.Skip(2).Select(w => w.Speaker));
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

        public DiarizationResult Diarize(ReadOnlySpan<float> samples16k)
        {
            Calls++;
            return new DiarizationResult(segments, new Dictionary<string, float[]>());
        }

        public void Dispose()
        {
        }
    }

    private sealed class ScriptedVad(IReadOnlyList<SpeechRegion> regions) : IVoiceActivityDetector
    {
        public string Name => "scripted";

        public double FrameSeconds => 0.032;

        public float[] Probabilities(ReadOnlySpan<float> samples16k) => [];

        public IReadOnlyList<SpeechRegion> Detect(ReadOnlySpan<float> samples16k) => regions;

        public void Dispose()
        {
        }
    }
}
