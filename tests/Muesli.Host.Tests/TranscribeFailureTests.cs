using Muesli.Core;
using Muesli.TestWorld;
using Xunit;

namespace Muesli.Host.Tests;

/// <summary>
/// <c>muesli transcribe</c> fails honestly: each problem says which it is, the exit code says that something failed,
/// and no transcript is left half-written or written for a file that failed.
/// </summary>
public sealed class TranscribeFailureTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(3);

    /// <summary>A short two-speaker recording, as an app user's file would be.</summary>
    private static string Recording(TempDir dir, string name = "meeting.wav", int seconds = 30)
    {
        var folder = Path.Combine(dir, $"{name}.src");
        ToneMeetingGenerator.Generate(new MeetingSpec { DurationSeconds = seconds, Speakers = 2, Seed = 3 }).WriteTo(folder, new AudioFormat(16000, 1));
        var path = Path.Combine(dir, name);
        File.Move(Path.Combine(folder, "meeting.wav"), path);
        Directory.Delete(folder, recursive: true);
        return path;
    }

    private static async Task<(int Code, string Stderr, BackendProcess Process)> Run(params string[] args)
    {
        var process = BackendProcess.Start(args, command: "transcribe");
        process.CloseInput();
        var code = await process.WaitForExitAsync(Limit);
        return (code, process.Stderr, process);
    }

    private static string[] Transcripts(string folder)
        => Directory.Exists(folder)
            ? Directory.EnumerateFiles(folder).Where(f => !f.EndsWith(".wav", StringComparison.Ordinal)).Select(f => Path.GetFileName(f)).ToArray()
            : [];

    [Fact]
    public async Task Missing_models_exit_2_naming_them_and_the_fetch_command_before_any_audio_is_read()
    {
        using var dir = new TempDir();
        var empty = Directory.CreateDirectory(Path.Combine(dir, "models")).FullName;

        // The input does not exist either: the models are checked first, so that is never reported.
        var (code, stderr, process) = await Run(Path.Combine(dir, "later.wav"), "--models", empty);
        await process.DisposeAsync();

        Assert.Equal(2, code);
        Assert.Contains("asr", stderr);
        Assert.Contains("models/fetch.sh defaults --dir", stderr);
        Assert.DoesNotContain("later.wav", stderr);
        Assert.Empty(Transcripts(dir));
    }

    [Fact]
    public async Task An_output_folder_that_cannot_be_written_is_refused_before_the_work()
    {
        using var dir = new TempDir();
        var wav = Recording(dir);
        var blocker = Path.Combine(dir, "taken");
        await File.WriteAllTextAsync(blocker, "a file where the folder should be");

        var (code, stderr, process) = await Run(wav, "--models", StandIns.Folder, "--out", Path.Combine(blocker, "out"));
        await process.DisposeAsync();

        Assert.Equal(2, code);
        Assert.Contains("--out", stderr);
        Assert.DoesNotContain("transcribed", stderr);
        Assert.DoesNotContain(Transcripts(dir), f => f != "taken");
    }

    [Theory]
    [InlineData("", 2)]
    [InlineData(" , ", 2)]
    [InlineData("txt,docx", 2)]
    public async Task A_format_list_that_names_nothing_or_an_unknown_format_is_a_usage_error(string formats, int expected)
    {
        using var dir = new TempDir();
        var wav = Recording(dir);
        var (code, stderr, process) = await Run(wav, "--models", StandIns.Folder, "--format", formats);
        await process.DisposeAsync();

        Assert.Equal(expected, code);
        Assert.Contains("--format", stderr);
        Assert.Empty(Transcripts(dir));
    }

    [Fact]
    public async Task Each_bad_input_says_what_is_wrong_and_the_good_one_is_still_transcribed()
    {
        using var dir = new TempDir();
        var good = Recording(dir, "good.wav");
        var missing = Path.Combine(dir, "missing.wav");
        var empty = Path.Combine(dir, "empty.wav");
        await File.WriteAllBytesAsync(empty, []);
        var folder = Directory.CreateDirectory(Path.Combine(dir, "folder.wav")).FullName;

        // A WAV header that promises 3.8 MB of audio, followed by 1000 bytes of it.
        var truncated = Path.Combine(dir, "truncated.wav");
        var whole = await File.ReadAllBytesAsync(good);
        await File.WriteAllBytesAsync(truncated, whole[..1044]);
        var flac = Path.Combine(dir, "song.flac");
        await File.WriteAllBytesAsync(flac, [.. "fLaC"u8, 0, 0, 0, 34, .. new byte[64]]);
        var garbage = Path.Combine(dir, "notes.wav");
        await File.WriteAllTextAsync(garbage, "not a recording at all, just notes");

        var outFolder = Path.Combine(dir, "out");
        var (code, stderr, process) = await Run(good, missing, empty, folder, truncated, flac, garbage, "--models", StandIns.Folder, "--out", outFolder, "--format", "all");
        await process.DisposeAsync();

        Assert.Equal(1, code);
        Assert.Matches("not found: .*missing\\.wav", stderr);
        Assert.Matches("empty\\.wav is empty", stderr);
        Assert.Matches("folder\\.wav is a folder", stderr);
        Assert.Matches("truncated\\.wav is truncated: its WAV header promises [0-9.]+ s", stderr);
        Assert.Matches("song\\.flac is FLAC .*ffmpeg -i .*song\\.flac -ar 16000 .*song\\.wav", stderr);
        Assert.Matches("notes\\.wav cannot be read", stderr);
        Assert.Contains("6 of 7 files failed", stderr);

        // Only the good file has transcripts, every format of them, and nothing half-written is left.
        Assert.Equal(
            new[] { "good.json", "good.rttm", "good.srt", "good.txt", "good.vtt" },
            Transcripts(outFolder).Order().ToArray());
    }
}
