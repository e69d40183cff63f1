using System.CommandLine;
using System.Text;
using Muesli.Host.Cli;

namespace Muesli.Host;

public static class Program
{
    /// <summary>Exit code of a command line that does not parse (1 is the protocol's "no audio").</summary>
    public const int ExitUsage = 2;

    public static async Task<int> Main(string[] args)
    {
        // stdout is written on purpose only: the backend's protocol, a command's report. Whatever else writes to the
        // console (a library, the actor system's last words at shutdown) goes to stderr.
        await using var stdout = new StreamWriter(Console.OpenStandardOutput(), new UTF8Encoding(false)) { AutoFlush = false };
        Console.SetOut(Console.Error);

        var root = new RootCommand("muesli: live meeting transcription and speaker diarization")
        {
            BackendCommand.Create(stdout),
            TranscribeCommand.Create(),
            ReprocessCommand.Create(stdout),
            EnginesCommand.Create(stdout),
            NodeCommand.Create(stdout),
        };
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors)
            {
                await Console.Error.WriteLineAsync($"muesli: {error.Message}");
            }

            await Console.Error.WriteLineAsync("run 'muesli --help' for usage");
            return ExitUsage;
        }

        // Help is the command's output: it goes to stdout, so that `muesli node --help | less` shows it.
        return await parse.InvokeAsync(new InvocationConfiguration { Output = stdout, Error = Console.Error });
    }
}
