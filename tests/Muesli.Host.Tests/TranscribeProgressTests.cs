using System.Diagnostics;
using System.Text.RegularExpressions;
using Muesli.Core;
using Muesli.TestWorld;
using Xunit;

namespace Muesli.Host.Tests;

/// <summary>What <c>muesli transcribe</c> shows while it works: a bar on a terminal, plain lines otherwise, nothing with --quiet.</summary>
public sealed partial class TranscribeProgressTests
{
    private static string Recording(TempDir dir, int seconds)
    {
        ToneMeetingGenerator.Generate(new MeetingSpec { DurationSeconds = seconds, Speakers = 2, Seed = 5 }).WriteTo(dir, new AudioFormat(44100, 2));
        return Path.Combine(dir, "meeting.wav");
    }

    [Fact]
    public async Task Quiet_prints_nothing_on_success()
    {
        using var dir = new TempDir();
        var wav = Recording(dir, 30);
        await using var process = BackendProcess.Start([wav, "--models", StandIns.Folder, "--out", Path.Combine(dir, "out"), "--quiet"], command: "transcribe");
        process.CloseInput();

        Assert.Equal(0, await process.WaitForExitAsync(TimeSpan.FromMinutes(3)));
        Assert.True(process.Stderr.Trim().Length == 0, $"--quiet printed: {process.Stderr}");
        Assert.True(File.Exists(Path.Combine(dir, "out", "meeting.json")));
    }

    [Fact]
    public async Task With_stderr_redirected_progress_is_plain_lines_and_a_closing_summary()
    {
        using var dir = new TempDir();
        var wav = Recording(dir, 240);
        await using var process = BackendProcess.Start([wav, "--models", StandIns.Folder, "--out", Path.Combine(dir, "out")], command: "transcribe");
        process.CloseInput();

        Assert.Equal(0, await process.WaitForExitAsync(TimeSpan.FromMinutes(5)));
        var stderr = process.Stderr;
        Assert.DoesNotContain("\u001b[", stderr);
        Assert.Matches(ProgressLine(), stderr);
        Assert.Matches(SummaryLine(), stderr);
    }

    [Fact]
    public async Task On_a_terminal_a_progress_bar_shows()
    {
        using var dir = new TempDir();
        var wav = Recording(dir, 60);
        var command = string.Join(' ', new[] { "dotnet", BackendProcess.MuesliDll, "transcribe", wav, "--models", StandIns.Folder, "--out", Path.Combine(dir, "out") }.Select(Quote));

        // script(1) runs the command on a pseudo-terminal and copies what it shows to its own stdout.
        var start = new ProcessStartInfo("script", ["-qefc", command, "/dev/null"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        start.Environment["TERM"] = "xterm-256color";
        start.Environment["COLUMNS"] = "120";
        using var script = Process.Start(start)!;
        script.StandardInput.Close();
        var shown = await script.StandardOutput.ReadToEndAsync();
        await script.WaitForExitAsync();

        Assert.Equal(0, script.ExitCode);
        Assert.Contains("\u001b[", shown);
        Assert.Contains("meeting.wav", shown);
        Assert.Matches("100%", shown);
        Assert.Matches(SummaryLine(), shown);
        Assert.True(File.Exists(Path.Combine(dir, "out", "meeting.json")));
    }

    private static string Quote(string s) => $"'{s.Replace("'", "'\\''")}'";

    [GeneratedRegex(@"meeting\.wav: \w+ \d+ ?% \(\d+/\d+ s of audio")]
    private static partial Regex ProgressLine();

    [GeneratedRegex(@"transcribed 1 file: [\d.]+ s of audio in [\d.]+ s \(real-time factor [\d.]+\), \d+ speakers?, \d+ words")]
    private static partial Regex SummaryLine();
}
