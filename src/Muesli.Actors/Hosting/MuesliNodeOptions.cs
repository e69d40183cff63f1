using Muesli.Inference;

namespace Muesli.Actors.Hosting;

/// <summary>
/// One inference slot of this node: a name (e.g. <c>cpu</c>, <c>cuda:0</c>), the provider it asks for, and how to
/// build its pipeline — called once, in the background, by the slot's worker.
/// </summary>
public sealed record WorkerSlot(string Name, string Provider, Func<ITranscriptionPipeline> CreatePipeline)
{
    /// <summary>The provider a built pipeline actually got (a CUDA fallback shows here); by default the one asked for.</summary>
    public Func<string> LoadedProvider { get; init; } = () => Provider;

    /// <summary>
    /// Builds the pipeline of a meeting that chose other engines (its own <c>asr_model</c>, <c>diar_backend</c> or
    /// <c>language</c>); null: the slot runs only its default pipeline.
    /// </summary>
    public Func<EngineChoice, ITranscriptionPipeline>? CreateVariant { get; init; }
}

/// <summary>A node's roles: any combination runs in one process.</summary>
public static class NodeRoles
{
    /// <summary>Accepts meetings over TCP and talks to the rest only through messages.</summary>
    public const string Ingest = "ingest";

    /// <summary>Hosts the sharded streams, aggregators and finalize sagas.</summary>
    public const string Stream = "stream";

    /// <summary>Hosts the inference workers of its device slots (and, while it is the oldest, the work router).</summary>
    public const string Inference = "inference";

    public static readonly IReadOnlyList<string> All = [Ingest, Stream, Inference];
}

/// <summary>How a node is composed: its journal, its cluster address, its meetings' options and its workers.</summary>
public sealed record MuesliNodeOptions
{
    public string SystemName { get; init; } = "muesli";

    /// <summary>The SQLite file of the embedded journal and snapshot store (when there is no PostgreSQL journal).</summary>
    public required string SqlitePath { get; init; }

    /// <summary>A PostgreSQL connection string (Npgsql syntax) for the journal, the snapshots and the sharding state.</summary>
    public string? PostgresConnection { get; init; }

    public IReadOnlyList<string> Roles { get; init; } = NodeRoles.All;

    /// <summary>Akka addresses of the seed nodes (<c>akka.tcp://muesli@host:port</c>); empty: the node joins itself.</summary>
    public IReadOnlyList<string> SeedNodes { get; init; } = [];

    /// <summary>
    /// A node of a cluster: the work router is a cluster singleton on the inference role, and the sharded entities
    /// are remembered, so that a meeting left live by a crash or a restart comes back by itself (and is finalized
    /// after <see cref="MeetingOptions.AbandonAfter"/> if its client never returns). The backend: a local router.
    /// </summary>
    public bool Clustered { get; init; }

    /// <summary>HOCON that overrides everything else (<c>--config FILE</c>).</summary>
    public string? ExtraHocon { get; init; }

    public bool HasRole(string role) => Roles.Contains(role);

    public string Hostname { get; init; } = "127.0.0.1";

    /// <summary>0 picks a free port (the single-node backend).</summary>
    public int Port { get; init; }

    /// <summary>The node forms a cluster of its own (the single-node backend).</summary>
    public bool JoinSelf { get; init; } = true;

    public MeetingOptions Meeting { get; init; } = new();

    public IReadOnlyList<WorkerSlot> Workers { get; init; } = [];

    /// <summary>
    /// The node answers the operator console (<c>muesli-cmd</c>): its command handler is registered with the cluster
    /// client receptionist. Every <c>muesli node</c>; the backend only with <c>--cmd-port</c>.
    /// </summary>
    public bool OperatorConsole { get; init; }

    /// <summary>Where the workers' <c>run_log</c> lines go (the host's own log category); null: the actor log.</summary>
    public Action<string>? RunLog { get; init; }
}
