using System.CommandLine;
using Muesli.Host.Cli;

namespace Muesli.Host;

public static class Program
{
    /// <summary>Exit code of a command line that does not parse (1 is the protocol's "no audio").</summary>
    public const int ExitUsage = 2;

    public static async Task<int> Main(string[] args)
    {
        var root = new RootCommand("muesli: live meeting transcription and speaker diarization")
        {
            BackendCommand.Create(),
            TranscribeCommand.Create(),
            EnginesCommand.Create(),
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

        return await parse.InvokeAsync();
    }
}
