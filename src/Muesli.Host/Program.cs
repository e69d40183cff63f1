using System.CommandLine;
using System.Text;
using Muesli.Host.Cli;

namespace Muesli.Host;

public static class Program
{
    /// <summary>
    /// Exit code of a command line that does not parse, or names no command (1 is the protocol's "no audio"). Plain
    /// <c>muesli</c> prints the help on stdout and exits with it too: it was asked to do nothing, and a script whose
    /// command came out empty must not pass for one that ran.
    /// </summary>
    public const int ExitUsage = 2;

    public static async Task<int> Main(string[] args)
    {
        // stdout is written on purpose only: the backend's protocol, a command's report, help and version. Whatever
        // else writes to the console (a library, the actor system's last words at shutdown) goes to stderr.
        await using var stdout = new StreamWriter(Console.OpenStandardOutput(), new UTF8Encoding(false)) { AutoFlush = false };
        Console.SetOut(Console.Error);

        var root = new RootCommand("muesli: live meeting transcription and speaker diarization")
        {
            BackendCommand.Create(stdout),
            TranscribeCommand.Create(),
            ReprocessCommand.Create(stdout),
            ReplayCommand.Create(),
            EnginesCommand.Create(stdout),
            NodeCommand.Create(stdout),
        };
        var help = new Command("help", "Show the help of muesli or of one of its commands");
        var topic = new Argument<string[]>("command") { Description = "The command, e.g. node", Arity = ArgumentArity.ZeroOrMore };
        help.Arguments.Add(topic);
        root.Subcommands.Add(help);
        HelpDefaults.Apply(root);

        // Help and version are the command's output: they go to stdout, so that `muesli node --help | less` shows it.
        var invocation = new InvocationConfiguration { Output = stdout, Error = Console.Error };
        if (args.Length == 0)
        {
            await root.Parse(["--help"]).InvokeAsync(invocation);
            await stdout.FlushAsync();
            return ExitUsage;
        }

        var parse = root.Parse(args);
        if (parse.Errors.Count == 0 && parse.CommandResult.Command == help)
        {
            var names = parse.GetValue(topic) ?? [];
            Command? command = root;
            foreach (var name in names)
            {
                command = command?.Subcommands.FirstOrDefault(c => c.Name == name || c.Aliases.Contains(name));
            }

            if (command is null)
            {
                await Console.Error.WriteLineAsync($"muesli help: no such command: {string.Join(' ', names)}");
                await Console.Error.WriteLineAsync("run 'muesli --help' for the commands");
                return ExitUsage;
            }

            parse = root.Parse([.. names, "--help"]);
        }

        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors)
            {
                await Console.Error.WriteLineAsync($"muesli: {error.Message}");
            }

            await Console.Error.WriteLineAsync("run 'muesli --help' for usage");
            return ExitUsage;
        }

        var code = await parse.InvokeAsync(invocation);
        await stdout.FlushAsync();
        return code;
    }
}
