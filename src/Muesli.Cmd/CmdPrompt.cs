using Muesli.Actors.Operations;

namespace Muesli.Cmd;

/// <summary>The interactive console: a prompt with history and Tab completion, <c>help</c> and <c>exit</c>.</summary>
public sealed class CmdPrompt(CmdConnection connection, TextWriter stdout)
{
    private const string Prompt = "muesli> ";

    public async Task<int> RunAsync()
    {
        var editor = new LineEditor(Prompt, Complete);
        await stdout.WriteLineAsync("muesli-cmd: connected; 'help' lists the commands, Tab completes, 'exit' leaves");
        while (editor.ReadLine() is { } line)
        {
            var words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
            if (words.Count == 0)
            {
                continue;
            }

            if (words[0] is "exit" or "quit")
            {
                return 0;
            }

            if (words[0] == "help")
            {
                await stdout.WriteAsync(CmdHelp.Palettes(words.Count > 1 ? words[1] : null));
                continue;
            }

            var json = words.Remove("--json");
            var (_, _, error) = CmdPalettes.Bind(words[0], words.Count > 1 ? words[1] : "", words.Skip(2).ToArray());
            if (error is not null)
            {
                await Console.Error.WriteLineAsync(error);
                continue;
            }

            await Program.RunAsync(connection, words, json, stdout);
        }

        return 0;
    }

    /// <summary>Candidates for the word being typed: a palette (or help, exit), then one of its commands.</summary>
    private static IEnumerable<string> Complete(IReadOnlyList<string> before)
        => before.Count switch
        {
            0 => CmdPalettes.All.Select(p => p.Name).Concat(["help", "exit"]),
            1 when before[0] == "help" => CmdPalettes.All.Select(p => p.Name),
            1 => CmdPalettes.Find(before[0])?.Commands.Select(c => c.Name) ?? [],
            _ => [],
        };
}
