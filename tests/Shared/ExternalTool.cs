using System.Diagnostics;
using Xunit;

namespace Muesli.Tests.Shared;

/// <summary>
/// A fact that needs a command-line tool (lame, sox). Without it on PATH the fact is skipped with the reason, except
/// where <c>CI</c> or <c>MUESLI_REQUIRE_TOOLS=1</c> is set: there it runs and fails, so CI cannot pass without it.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class ToolFactAttribute : FactAttribute
{
    public ToolFactAttribute(string tool)
    {
        if (!ExternalTool.OnPath(tool) && !ExternalTool.Required)
        {
            Skip = $"needs '{tool}' on PATH (apt-get install {tool}); set MUESLI_REQUIRE_TOOLS=1 to fail instead of skipping";
        }
    }
}

/// <summary>Runs the command-line tools (lame, sox) some tests make their input with.</summary>
internal static class ExternalTool
{
    public static bool Required =>
        Environment.GetEnvironmentVariable("MUESLI_REQUIRE_TOOLS") == "1"
        || Environment.GetEnvironmentVariable("CI") is { Length: > 0 } ci && !ci.Equals("false", StringComparison.OrdinalIgnoreCase);

    public static bool OnPath(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Any(folder => File.Exists(Path.Combine(folder, tool)));

    /// <summary>Runs <paramref name="tool"/>, failing with its stderr when it fails or is missing.</summary>
    public static void Run(string tool, params string[] arguments)
    {
        Assert.True(OnPath(tool), $"'{tool}' is not on PATH, and CI or MUESLI_REQUIRE_TOOLS=1 says this test must run (apt-get install {tool})");
        var start = new ProcessStartInfo(tool) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEnd();
        process.WaitForExit();
        output.Wait();
        Assert.True(process.ExitCode == 0, $"{tool} {string.Join(' ', arguments)} exited with {process.ExitCode}: {errors}");
    }
}
