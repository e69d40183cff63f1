namespace Muesli.Actors.Operations;

/// <summary>One argument of a command: positional, or given after its flag (<c>-r stream</c>).</summary>
public sealed record CmdArg(string Name, string Description, string? Flag = null);

/// <summary>One command of a palette and the arguments it requires.</summary>
public sealed record CmdSpec(string Name, string Description, IReadOnlyList<CmdArg> Args)
{
    public string Usage => string.Join(' ', new[] { Name }.Concat(Args.Select(a => a.Flag is null ? $"<{a.Name}>" : $"{a.Flag} <{a.Name}>")));
}

/// <summary>A named group of commands (<c>cluster</c>, <c>workers</c>, …).</summary>
public sealed record CmdPalette(string Name, string Description, IReadOnlyList<CmdSpec> Commands);

/// <summary>
/// Every palette the cluster answers. The console reads them for help and completion, the handler to bind a
/// request's arguments: both sides check a command line the same way.
/// </summary>
public static class CmdPalettes
{
    private static readonly CmdArg Stream = new("stream", "A stream id, {meeting}/{mic|system}");

    public static readonly IReadOnlyList<CmdPalette> All =
    [
        new("cluster", "Members, leader and membership changes",
        [
            new("show", "Members (address, roles, status, reachability) and the leader", []),
            new("leave", "Asks a member to leave the cluster gracefully", [new("address", "host:port or akka.tcp://muesli@host:port")]),
            new("down-unreachable", "Downs every member the others cannot reach", []),
        ]),
        new("cluster-sharding", "The sharded entity types and where their shards live",
        [
            new("regions", "The shard region types of this cluster", []),
            new("region-stats", "Shards and entities per node of one type", [new("type", "A region type (see regions)", "-r")]),
        ]),
        new("meetings", "The meetings whose streams run in the cluster",
        [
            new("list", "Every running meeting: its streams, state and duration", []),
            new("show", "One meeting: connections, settings, duration, speakers so far, and its streams", [new("meeting", "A meeting id")]),
        ]),
        new("streams", "The streams running in the cluster",
        [
            new("list", "Every running stream: state, duration, lastProcessedByte, lag behind live, chunk in flight", []),
            new("show", "One stream in detail: pass times p50/p95, overlap frames dropped, retries, errors", [Stream]),
            new("finalize", "An operator's STOP: the stream drains its chunk in flight and is finalized", [Stream]),
            new("replay", "Rebuilds the stream's meeting from its journal and PCM logs (finalizing it if it is not) and publishes its result again to its subscribers",
                [new("id", "A stream id, {meeting}/{mic|system}, or a meeting id; running or only persisted")]),
        ]),
        new("workers", "The inference pool",
        [
            new("show", "Each slot: node, device, provider, busy or idle, runs, failures, last chunk; the queue", []),
            new("drain", "The slot gets no new work (its current chunk finishes)", [new("slot", "A slot id (node/device), or a device name that is unique")]),
            new("resume", "A drained slot gets work again", [new("slot", "A slot id (node/device), or a device name that is unique")]),
        ]),
    ];

    public static CmdPalette? Find(string palette) => All.FirstOrDefault(p => p.Name == palette);

    /// <summary>Binds a command's arguments by name, or says what is wrong with the command line.</summary>
    public static (CmdSpec? Spec, IReadOnlyDictionary<string, string> Args, string? Error) Bind(string palette, string command, IReadOnlyList<string> args)
    {
        var empty = new Dictionary<string, string>();
        if (Find(palette) is not { } found)
        {
            return (null, empty, $"unknown palette '{palette}' (palettes: {string.Join(", ", All.Select(p => p.Name))})");
        }

        if (found.Commands.FirstOrDefault(c => c.Name == command) is not { } spec)
        {
            return (null, empty, $"unknown command '{palette} {command}' (commands: {string.Join(", ", found.Commands.Select(c => c.Name))})");
        }

        var bound = new Dictionary<string, string>();
        var rest = new Queue<string>(args);
        var positional = new Queue<CmdArg>(spec.Args.Where(a => a.Flag is null));
        while (rest.TryDequeue(out var token))
        {
            if (spec.Args.FirstOrDefault(a => a.Flag == token) is { } flagged)
            {
                if (!rest.TryDequeue(out var value))
                {
                    return (spec, empty, $"{token} needs a value: usage {palette} {spec.Usage}");
                }

                bound[flagged.Name] = value;
            }
            else if (!token.StartsWith('-') && positional.TryDequeue(out var next))
            {
                bound[next.Name] = token;
            }
            else
            {
                return (spec, empty, $"unexpected '{token}': usage {palette} {spec.Usage}");
            }
        }

        if (spec.Args.FirstOrDefault(a => !bound.ContainsKey(a.Name)) is { } missing)
        {
            return (spec, empty, $"missing <{missing.Name}>: usage {palette} {spec.Usage}");
        }

        return (spec, bound, null);
    }
}
