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
}

/// <summary>How a node is composed: its journal, its cluster address, its meetings' options and its workers.</summary>
public sealed record MuesliNodeOptions
{
    public string SystemName { get; init; } = "muesli";

    /// <summary>The SQLite file of the embedded journal and snapshot store.</summary>
    public required string SqlitePath { get; init; }

    public string Hostname { get; init; } = "127.0.0.1";

    /// <summary>0 picks a free port (the single-node backend).</summary>
    public int Port { get; init; }

    /// <summary>The node forms a cluster of its own (the single-node backend).</summary>
    public bool JoinSelf { get; init; } = true;

    public MeetingOptions Meeting { get; init; } = new();

    public IReadOnlyList<WorkerSlot> Workers { get; init; } = [];
}
