using Muesli.TestWorld;
using Xunit;
using Xunit.Abstractions;

namespace Muesli.Host.Tests;

/// <summary>Runs only when <c>MUESLI_MODELS</c> holds the default real models; skips with the reason otherwise.</summary>
public sealed class DefaultModelsFactAttribute : FactAttribute
{
    public static readonly string[] Required = ["parakeet-tdt-0.6b-v3-int8", "pyannote-segmentation-3.0", "wespeaker-voxceleb-resnet34-lm"];

    public DefaultModelsFactAttribute()
    {
        if (Environment.GetEnvironmentVariable("MUESLI_MODELS") is not { Length: > 0 } folder || !Directory.Exists(folder))
        {
            Skip = "real weights: MUESLI_MODELS is not set (models/fetch.sh defaults --dir DIR, then MUESLI_MODELS=DIR)";
        }
        else if (Required.FirstOrDefault(id => !Directory.Exists(Path.Combine(folder, id))) is { } missing)
        {
            Skip = $"real weights: {missing} is not in {folder} (models/fetch.sh defaults --dir {folder})";
        }
    }
}

/// <summary>The real default models end to end, through <c>muesli transcribe</c>, on the shipped public audio.</summary>
public sealed class RealModelsTests(ITestOutputHelper output)
{
    private static string Shared(params string[] path) => Path.Combine([Path.GetFullPath(Path.Combine(BackendProcess.RepositoryRoot, "..", "shared")), .. path]);

    [DefaultModelsFact]
    public async Task Jfk_is_transcribed_within_15_percent_word_error()
    {
        using var dir = new TempDir();
        var text = await TranscribeAsync(Shared("testdata", "jfk.wav"), dir, "txt");
        var hypothesis = string.Join(' ', File.ReadLines(Path.Combine(dir, "jfk.txt")).Select(l => l[(l.IndexOf(':', l.IndexOf(']')) + 1)..]));
        var wer = Scoring.WordErrorRate("And so my fellow Americans, ask not what your country can do for you, ask what you can do for your country.", hypothesis);
        output.WriteLine($"{hypothesis}\nWER {wer:P1}\n{text}");
        Assert.True(wer <= 0.15, $"WER {wer:P1}");
    }

    [DefaultModelsFact]
    public async Task The_pyannote_sample_is_diarized_and_transcribed_against_its_rttm_and_stm()
    {
        using var dir = new TempDir();
        await TranscribeAsync(Shared("testdata", "pyannote-sample", "sample.wav"), dir, "txt,rttm");
        var hypothesis = Rttm.Parse(File.ReadAllText(Path.Combine(dir, "sample.rttm")));
        var reference = Rttm.Parse(File.ReadAllText(Shared("testdata", "pyannote-sample", "sample.rttm")));
        var der = Scoring.DiarizationErrorRate(reference, hypothesis);

        var stm = File.ReadLines(Shared("testdata", "pyannote-sample", "sample.stm"))
            .Select(l => l.Split(' ', 6))
            .OrderBy(p => double.Parse(p[3], System.Globalization.CultureInfo.InvariantCulture))
            .Select(p => p[5]);
        var words = string.Join(' ', File.ReadLines(Path.Combine(dir, "sample.txt")).Select(l => l[(l.IndexOf(':', l.IndexOf(']')) + 1)..]));
        var wer = Scoring.WordErrorRate(string.Join(' ', stm), words);
        output.WriteLine($"DER {der.Total:P1} (missed {der.Missed:P1}, false alarm {der.FalseAlarm:P1}, confusion {der.Confusion:P1}), WER {wer:P1}\n{words}");
        Assert.True(der.Total <= 0.35, $"DER {der.Total:P1}");
        Assert.True(wer <= 0.25, $"WER {wer:P1}");
    }

    private static async Task<string> TranscribeAsync(string file, string outDir, string formats)
    {
        await using var process = BackendProcess.Start([file, "--out", outDir, "--format", formats], command: "transcribe");
        process.CloseInput();
        Assert.Equal(0, await process.WaitForExitAsync(TimeSpan.FromMinutes(10)));
        return process.Stderr;
    }
}
