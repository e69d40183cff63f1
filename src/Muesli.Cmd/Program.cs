using System.Text;
using Muesli.Actors.Operations;

namespace Muesli.Cmd;

/// <summary>
/// <c>muesli-cmd [--contact host:port]... &lt;palette&gt; &lt;command&gt; [args] [--json]</c>: one command, printed as
/// a table (or one JSON document) on stdout; with no command, an interactive prompt. Exit codes: 0 done, 1 the
/// command failed or no node answered, 2 the command line is wrong.
/// </summary>
public static class Program
{
    public const int ExitFailed = 1;
    public const int ExitUsage = 2;
    public const int DefaultPort = 4053;

    /// <summary>How long a contact point has to answer before the console gives up on it.</summary>
    public static readonly TimeSpan ContactLimit = TimeSpan.FromSeconds(10);

    /// <summary>How long a command may take inside the cluster.</summary>
    public static readonly TimeSpan CommandLimit = TimeSpan.FromSeconds(30);

    public static async Task<int> Main(string[] args)
    {
        var started = System.Diagnostics.Stopwatch.StartNew();
        // stdout carries the commands' output only: whatever else writes to the console goes to stderr.
        var stdout = new StreamWriter(Console.OpenStandardOutput(), new UTF8Encoding(false)) { AutoFlush = true };
        Console.SetOut(Console.Error);

        if (CmdLine.Parse(args) is not { } line)
        {
            return ExitUsage;
        }

        if (line.Help)
        {
            await stdout.WriteAsync(CmdLine.Usage + Environment.NewLine + Environment.NewLine + CmdHelp.Palettes());
            return 0;
        }

        if (line.Words.Count > 0)
        {
            var (_, _, error) = CmdPalettes.Bind(line.Words[0], line.Words.Count > 1 ? line.Words[1] : "", line.Words.Skip(2).ToArray());
            if (error is not null)
            {
                await Console.Error.WriteLineAsync($"muesli-cmd: {(line.Words.Count == 1 && CmdPalettes.Find(line.Words[0]) is { } p ? $"'{p.Name}' needs a command: {string.Join(", ", p.Commands.Select(c => c.Name))}" : error)}");
                return ExitUsage;
            }
        }

        await using var connection = CmdConnection.Start(line.Contacts, line.SystemName, line.Verbose);

        // The operator hears back within the limit, counted from the start of the process, not of the actor system.
        if (await connection.PingAsync(ContactLimit - started.Elapsed - TimeSpan.FromSeconds(1)) is null)
        {
            await Console.Error.WriteLineAsync($"muesli-cmd: {Unreachable(line)}");
            if (line.Json)
            {
                await stdout.WriteLineAsync(CmdOutput.Json(CmdReply.Failed(Unreachable(line))));
            }

            return ExitFailed;
        }

        if (line.Words.Count == 0)
        {
            return await new CmdPrompt(connection, stdout).RunAsync();
        }

        return await RunAsync(connection, line.Words, line.Json, stdout);
    }

    /// <summary>Runs one command and prints its reply; the exit code says whether it succeeded.</summary>
    public static async Task<int> RunAsync(CmdConnection connection, IReadOnlyList<string> words, bool json, TextWriter stdout)
    {
        var request = new CmdRequest(words[0], words[1], words.Skip(2).ToArray());
        var reply = await connection.SendAsync(request, CommandLimit)
            ?? CmdReply.Failed($"timed out: no reply to '{words[0]} {words[1]}' within {CommandLimit.TotalSeconds:0} s");
        if (json)
        {
            await stdout.WriteLineAsync(CmdOutput.Json(reply));
        }
        else if (reply.Ok)
        {
            await stdout.WriteAsync(CmdOutput.Text(reply));
        }

        if (!reply.Ok)
        {
            await Console.Error.WriteLineAsync($"muesli-cmd: {reply.Error}");
            return ExitFailed;
        }

        return 0;
    }

    private static string Unreachable(CmdLine line)
        => $"no node answered at {string.Join(", ", line.Contacts.Select(c => $"{c.Host}:{c.Port}"))} within {ContactLimit.TotalSeconds:0} s — "
           + $"check the address (the node's Akka remoting host:port) and that the node runs with `muesli node` or `muesli backend --cmd-port N`";
}

/// <summary>The console's own command line: contacts, flags, and the words of the command.</summary>
public sealed record CmdLine(IReadOnlyList<(string Host, int Port)> Contacts, string SystemName, bool Json, bool Verbose, bool Help, IReadOnlyList<string> Words)
{
    public const string Usage = """
        usage: muesli-cmd [--contact host:port]... [--system NAME] [--json] [--verbose] [<palette> <command> [args]]

          --contact host:port  A node's Akka remoting address (repeatable; default 127.0.0.1:4053)
          --system NAME        The nodes' actor system name (default muesli)
          --json               Print the reply as one JSON document
          --verbose            Log the console's actor system on stderr
        With no command: an interactive prompt (help, exit, Tab completes palettes and commands).
        """;

    /// <summary>The parsed line, or null after printing what is wrong with it.</summary>
    public static CmdLine? Parse(string[] args)
    {
        var contacts = new List<(string, int)>();
        var words = new List<string>();
        string system = "muesli";
        bool json = false, verbose = false, help = false;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--contact" or "--system" when i + 1 >= args.Length:
                    return Fail($"{args[i]} needs a value");
                case "--contact":
                    if (!TryHostPort(args[++i], out var contact))
                    {
                        return Fail($"--contact '{args[i]}' is not host:port");
                    }

                    contacts.Add(contact);
                    break;
                case "--system":
                    system = args[++i];
                    break;
                case "--json":
                    json = true;
                    break;
                case "--verbose":
                    verbose = true;
                    break;
                case "--help" or "-h" or "-?":
                    help = true;
                    break;
                default:
                    words.Add(args[i]);
                    break;
            }
        }

        if (contacts.Count == 0)
        {
            contacts.Add(("127.0.0.1", Program.DefaultPort));
        }

        return new CmdLine(contacts, system, json, verbose, help, words);
    }

    public static bool TryHostPort(string text, out (string Host, int Port) contact)
    {
        var colon = text.LastIndexOf(':');
        contact = (colon > 0 ? text[..colon] : "", 0);
        if (colon > 0 && int.TryParse(text[(colon + 1)..], out var port) && port is > 0 and < 65536)
        {
            contact = (contact.Host, port);
            return true;
        }

        return false;
    }

    private static CmdLine? Fail(string message)
    {
        Console.Error.WriteLine($"muesli-cmd: {message}");
        Console.Error.WriteLine(Usage);
        return null;
    }
}

/// <summary>The palettes as help text.</summary>
public static class CmdHelp
{
    public static string Palettes(string? palette = null)
    {
        var text = new StringBuilder();
        foreach (var p in CmdPalettes.All.Where(p => palette is null || p.Name == palette))
        {
            text.AppendLine($"{p.Name}: {p.Description}");
            var width = p.Commands.Max(c => c.Usage.Length);
            foreach (var c in p.Commands)
            {
                text.AppendLine($"  {p.Name} {c.Usage.PadRight(width)}  {c.Description}");
            }
        }

        return text.ToString();
    }
}
