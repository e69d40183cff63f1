using System.Diagnostics;
using System.Reflection;
using System.Text.Json;

namespace Muesli.Host.Tests;

/// <summary>One run of the built <c>muesli-cmd</c>: its exit code, stdout, stderr and how long it took.</summary>
public sealed record CmdRun(int ExitCode, string Stdout, string Stderr, TimeSpan Elapsed)
{
    public JsonElement Json => JsonDocument.Parse(Stdout).RootElement.Clone();

    public override string ToString() => $"exit {ExitCode} after {Elapsed.TotalSeconds:F1} s\nstdout:\n{Stdout}\nstderr:\n{Stderr}";
}

/// <summary>Runs the operator console as a separate process, as an operator would.</summary>
public static class CmdProcess
{
    /// <summary>The built <c>muesli-cmd.dll</c> of the same configuration as these tests.</summary>
    public static string CmdDll { get; } = Path.Combine(
        BackendProcess.RepositoryRoot,
        "src",
        "Muesli.Cmd",
        "bin",
        typeof(CmdProcess).Assembly.GetCustomAttribute<BuildConfigurationAttribute>()!.Configuration,
        "net10.0",
        "muesli-cmd.dll");

    public static async Task<CmdRun> RunAsync(params string[] args)
    {
        var clock = Stopwatch.StartNew();
        var info = new ProcessStartInfo("dotnet", [CmdDll, .. args]) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        using var process = Process.Start(info)!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return new CmdRun(process.ExitCode, await stdout, await stderr, clock.Elapsed);
    }

    /// <summary>
    /// The interactive console in a pseudo-terminal (<c>script</c>): each line (keys: Tab, escape sequences) is typed,
    /// with Enter, once the output shows its <c>After</c> text once more than it did when the line before was typed;
    /// returns when it exits.
    /// </summary>
    public static async Task<CmdRun> InteractiveAsync(string contact, IReadOnlyList<(string Line, string After)> typed)
    {
        var clock = Stopwatch.StartNew();
        var command = $"dotnet {CmdDll} --contact {contact}";
        var info = new ProcessStartInfo("script", ["-qefc", command, "/dev/null"]) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        using var process = Process.Start(info)!;
        var output = new System.Text.StringBuilder();
        var pump = Task.Run(async () =>
        {
            var buffer = new char[4096];
            int n;
            while ((n = await process.StandardOutput.ReadAsync(buffer)) > 0)
            {
                lock (output)
                {
                    output.Append(buffer, 0, n);
                }
            }
        });
        var stderr = process.StandardError.ReadToEndAsync();
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            var seen = new Dictionary<string, int>();
            foreach (var (line, after) in typed)
            {
                var before = seen.GetValueOrDefault(after);
                while (Count(Text(), after) <= before)
                {
                    await Task.Delay(100, limit.Token);
                }

                foreach (var text in typed.Select(t => t.After).Distinct())
                {
                    seen[text] = Count(Text(), text);
                }

                await process.StandardInput.WriteAsync(line + "\n");
                await process.StandardInput.FlushAsync();
            }

            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"the interactive console did not finish; it showed:\n{Text()}");
        }

        await pump;
        return new CmdRun(process.ExitCode, Text(), await stderr, clock.Elapsed);

        string Text()
        {
            lock (output)
            {
                return output.ToString();
            }
        }

        static int Count(string text, string part)
        {
            var n = 0;
            for (var at = text.IndexOf(part, StringComparison.Ordinal); at >= 0; at = text.IndexOf(part, at + part.Length, StringComparison.Ordinal))
            {
                n++;
            }

            return n;
        }
    }
}
