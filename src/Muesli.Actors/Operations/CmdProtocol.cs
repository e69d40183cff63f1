using Muesli.Actors.Serialization;

namespace Muesli.Actors.Operations;

/// <summary>
/// The operator console's protocol: one request, one reply, both small and carried by the project's serializer, so
/// that any transport (<c>muesli-cmd</c> over ClusterClient, or another console's adapter) is a thin layer over it.
/// </summary>
public static class CmdProtocol
{
    /// <summary>The path the handler is registered under with the cluster client receptionist.</summary>
    public const string ServicePath = "/user/muesli-cmd";

    /// <summary>The actor system name of a console: a node knows its associations by it (<c>akka.tcp://muesli-cmd@…</c>).</summary>
    public const string ConsoleSystemName = "muesli-cmd";

    /// <summary>
    /// Whether an Akka log event is Akka.Remote reporting on a console's association (closed, or failed). A console
    /// connects for one command and exits; its going away is the normal end of a command, not news for the node's log.
    /// </summary>
    public static bool IsConsoleGoingAway(string? source, string? message)
    {
        var console = ConsoleSystemName + "@";
        return Uri.UnescapeDataString(source ?? "").Contains(console, StringComparison.Ordinal)
            || (message ?? "").Contains($"//{console}", StringComparison.Ordinal);
    }
}

/// <summary>One command of a palette, with its arguments as the operator typed them.</summary>
public sealed record CmdRequest(string Palette, string Command, IReadOnlyList<string> Args) : IMuesliMessage;

/// <summary>
/// What a command gives back: facts (name → value) and tables, or an error. Values are plain JSON values (strings,
/// numbers, booleans, null), so the console prints them as text or hands them to a script as one JSON document.
/// </summary>
public sealed record CmdReply(bool Ok, IReadOnlyDictionary<string, object?> Facts, IReadOnlyList<CmdTable> Tables, string? Error) : IMuesliMessage
{
    public static CmdReply Failed(string error) => new(false, new Dictionary<string, object?>(), [], error);

    public static CmdReply Of(IReadOnlyDictionary<string, object?> facts, params CmdTable[] tables) => new(true, facts, tables, null);
}

/// <summary>Rows of values under named columns; <paramref name="Name"/> is its key in the JSON document.</summary>
public sealed record CmdTable(string Name, IReadOnlyList<string> Columns, IReadOnlyList<IReadOnlyList<object?>> Rows);

/// <summary>Asks whether a node answers at all, before the command is sent (an unreachable contact is told apart from a slow command).</summary>
public sealed record CmdPing : IMuesliMessage;

/// <summary>The answering node's address.</summary>
public sealed record CmdPong(string Node) : IMuesliMessage;
