using Muesli.Audio;
using Muesli.Core.Transcripts;
using Muesli.Inference.Asr;
using Muesli.Inference.Diarization;
using Muesli.TestWorld;
using Xunit.Abstractions;

namespace Muesli.Inference.Tests.Support;

/// <summary>The public recordings in <c>shared/testdata</c> with their references, and real engines scored on them.</summary>
internal static class PublicAudio
{
    /// <summary>spec/models.md: the reference transcript of jfk.wav.</summary>
    public const string JfkReference =
        "And so my fellow Americans, ask not what your country can do for you, ask what you can do for your country.";

    public static float[] PyannoteSample() => Read("testdata/pyannote-sample/sample.wav");

    /// <summary>The pyannote sample's reference turns (sample.rttm).</summary>
    public static IReadOnlyList<TruthTurn> PyannoteSampleTurns()
        => Rttm.Parse(File.ReadAllText(SharedFiles.PathOf("testdata/pyannote-sample/sample.rttm")));

    /// <summary>jfk.wav transcribed by <paramref name="engine"/>, scored against <see cref="JfkReference"/> and written to <paramref name="output"/>.</summary>
    public static JfkTranscript TranscribeJfk(IAsrEngine engine, ITestOutputHelper output)
    {
        var samples = Read("testdata/jfk.wav");
        var words = engine.Transcribe(samples);
        var transcript = string.Join(' ', words.Select(w => w.Text));
        var wordErrorRate = Scoring.WordErrorRate(JfkReference, transcript);
        output.WriteLine($"{engine.Name}: \"{transcript}\" (WER {wordErrorRate:P1})");
        foreach (var word in words)
        {
            output.WriteLine($"  {word.Start,6:F2} {word.End,6:F2} {word.Text}");
        }

        return new JfkTranscript(words, transcript, wordErrorRate, samples.Length / 16000.0);
    }

    /// <summary>The pyannote sample diarized by <paramref name="engine"/>, scored against its reference turns and written to <paramref name="output"/>.</summary>
    public static DerBreakdown DiarizePyannoteSample(IDiarizationEngine engine, ITestOutputHelper output)
    {
        var result = engine.Diarize(PyannoteSample());
        var hypothesis = result.Segments.Select(s => new TruthTurn(s.Speaker, ToneMeeting.AllStreams, s.Start, s.End)).ToList();
        var der = Scoring.DiarizationErrorRate(PyannoteSampleTurns(), hypothesis);
        output.WriteLine(
            $"{engine.Name}: DER {der.Total:P1} against sample.rttm (missed {der.Missed:P1}, false alarm {der.FalseAlarm:P1}, "
            + $"confusion {der.Confusion:P1}), {hypothesis.Select(h => h.Speaker).Distinct().Count()} speakers, {result.Embeddings.Count} embeddings:");
        foreach (var segment in result.Segments)
        {
            output.WriteLine($"  {segment.Start,7:F2} {segment.End,7:F2} {segment.Speaker}");
        }

        return der;
    }

    private static float[] Read(string relative) => AudioFile.Read16kMono(SharedFiles.PathOf(relative));
}

/// <summary>A real model's words on jfk.wav, their transcript, its word error rate and the audio's length.</summary>
internal sealed record JfkTranscript(IReadOnlyList<Word> Words, string Transcript, double WordErrorRate, double Seconds);
