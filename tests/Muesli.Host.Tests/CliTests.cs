using System.Text.RegularExpressions;
using Xunit;

namespace Muesli.Host.Tests;

/// <summary>
/// The command line itself: help and version on stdout, <c>muesli help COMMAND</c>, each default said once, and one
/// format for every line on stderr.
/// </summary>
public sealed partial class CliTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(2);

    /// <summary>A log line: <c>HH:mm:ss.fff level category: message</c> (the format of Composition/LogFormat.cs).</summary>
    [GeneratedRegex(@"^\d{2}:\d{2}:\d{2}\.\d{3} (trce|dbug|info|warn|fail|crit) [^ :]+: ")]
    private static partial Regex LogLine();

    [GeneratedRegex(@"^\s+-")]
    private static partial Regex OptionRow();

    private static async Task<BackendProcess> RunAsync(string command, params string[] args)
    {
        var process = BackendProcess.Start(args, command: command);
        process.CloseInput();
        await process.WaitForExitAsync(Limit);
        return process;
    }

    [Fact]
    public async Task Help_goes_to_stdout_and_names_every_command()
    {
        await using var help = await RunAsync("", "--help");
        Assert.Equal(0, await help.WaitForExitAsync(Limit));
        var head = help.Lines.Take(10).ToArray();
        Assert.Equal("Description:", head[0]);
        Assert.Contains(head, l => l.Contains("muesli [command] [options]", StringComparison.Ordinal));
        foreach (var command in new[] { "backend", "transcribe", "engines", "node", "help" })
        {
            Assert.Contains(help.Lines, l => Regex.IsMatch(l, $@"^\s+{command}\b"));
        }

        Assert.Equal("", help.Stderr.Trim());
    }

    [Fact]
    public async Task Version_goes_to_stdout()
    {
        await using var version = await RunAsync("", "--version");
        Assert.Equal(0, await version.WaitForExitAsync(Limit));
        Assert.Matches(@"^\d+\.\d+\.\d+", Assert.Single(version.Lines));
        Assert.Equal("", version.Stderr.Trim());
    }

    [Fact]
    public async Task Help_of_a_command_is_its_own_help_however_asked()
    {
        await using var asked = await RunAsync("help", "transcribe");
        await using var flag = await RunAsync("transcribe", "--help");
        Assert.Equal(0, await asked.WaitForExitAsync(Limit));
        Assert.Contains("  muesli transcribe <files>... [options]", asked.Lines);
        Assert.Equal(flag.Lines, asked.Lines);
        Assert.Equal("", asked.Stderr.Trim());

        await using var plain = await RunAsync("help");
        Assert.Equal(0, await plain.WaitForExitAsync(Limit));
        Assert.Contains(plain.Lines, l => l.Contains("muesli [command] [options]", StringComparison.Ordinal));
        Assert.Equal("", plain.Stderr.Trim());
    }

    [Fact]
    public async Task Help_of_an_unknown_command_is_a_usage_error()
    {
        await using var asked = await RunAsync("help", "nope");
        Assert.Equal(2, await asked.WaitForExitAsync(Limit));
        Assert.Empty(asked.Lines);
        Assert.Contains("no such command: nope", asked.Stderr);
    }

    [Fact]
    public async Task No_command_prints_the_help_and_is_a_usage_error()
    {
        await using var none = await RunAsync("");
        Assert.Equal(2, await none.WaitForExitAsync(Limit));
        Assert.Contains(none.Lines, l => l.Contains("muesli [command] [options]", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("backend")]
    [InlineData("transcribe")]
    [InlineData("reprocess")]
    [InlineData("replay")]
    [InlineData("engines")]
    [InlineData("node")]
    public async Task Each_default_is_said_once_in_one_form(string command)
    {
        await using var help = await RunAsync(command, "--help");
        Assert.Equal(0, await help.WaitForExitAsync(Limit));
        var rows = help.Lines.Where(l => OptionRow().IsMatch(l)).ToArray();
        Assert.NotEmpty(rows);
        foreach (var row in rows)
        {
            Assert.True(Regex.Matches(row, "default", RegexOptions.IgnoreCase).Count <= 1, $"the default is said more than once: {row}");
            Assert.DoesNotContain("(default", row, StringComparison.OrdinalIgnoreCase);
        }

        Assert.Contains(rows, r => r.Contains("[default: ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Every_line_on_stderr_has_one_format_akka_included()
    {
        using var dir = new TempDir();
        await using var backend = BackendProcess.Start(["--output-dir", dir, "--models", StandIns.Folder, "--device", "auto", "--verbose"]);
        await backend.SendAsync(AppClient.Start(48000, 1));
        await backend.SendAsync(AppClient.Stop());
        backend.CloseInput();
        await backend.WaitForExitAsync(Limit);

        var lines = backend.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.All(lines, l => Assert.Matches(LogLine(), l));
        Assert.Contains(lines, l => l.Contains(" Akka", StringComparison.Ordinal) && l.Contains("emoting", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains(" dbug ", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.Contains("Failed to load shared library", StringComparison.Ordinal));
        Assert.True(lines.Count(l => l.Contains("running on CPU", StringComparison.Ordinal)) <= 1, backend.Stderr);
    }
}
