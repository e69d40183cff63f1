using Akka.Actor;
using Muesli.Actors.Sharding;
using Muesli.Core.Merge;
using Muesli.Core.Windows;
using Muesli.Inference;

namespace Muesli.Actors.Inference;

/// <summary>Live chunks go before finalize work: a live meeting must stay responsive while another is finalized.</summary>
public enum WorkPriority
{
    Live = 0,
    Finalize = 1,
}

/// <summary>
/// One pipeline run: a stream's window with its audio (16 kHz mono floats) and where its time zero lies on the
/// meeting clock. The result goes to <paramref name="ReplyTo"/>. <paramref name="Engines"/> and <paramref name="Merge"/>
/// are the meeting's own, where it chose them (null: the worker's defaults).
/// </summary>
public sealed record ChunkRequest(
    string StreamId,
    long Seq,
    Window Window,
    float[] Samples,
    WorkPriority Priority,
    IActorRef ReplyTo,
    int Attempt = 1,
    EngineChoice? Engines = null,
    MergeOptions? Merge = null) : IWithStreamId;

public sealed record ChunkResult(string StreamId, long Seq, Window Window, PipelineResult Result, TimeSpan Elapsed)
    : IWithStreamId;

/// <summary>A run failed; <paramref name="WillRetry"/> says whether the router has queued it again.</summary>
public sealed record ChunkFailed(string StreamId, long Seq, string Error, int Attempt, bool WillRetry) : IWithStreamId;

/// <summary>
/// The chunk was not run and will not be: no worker of the pool could build its pipeline. <paramref name="Reason"/> is
/// the workers' error, which the pool's watchers (the meeting sessions) report to the client once.
/// </summary>
public sealed record ChunkRefused(string StreamId, long Seq, string Reason) : IWithStreamId;

public static class WorkerMessages
{
    /// <summary>A worker is building its pipeline: the pool counts on it, but gives it no work yet.</summary>
    public sealed record WorkerLoading(string Slot, string Provider);

    /// <summary>A worker announces it is ready for work (work pulling).</summary>
    public sealed record RegisterWorker(string Slot, string Provider);

    /// <summary>A worker could not build its pipeline and will run no work.</summary>
    public sealed record WorkerFailed(string Slot, string Error);

    /// <summary>The sender is told <see cref="PoolUnavailable"/> when (or if already) no worker can run work.</summary>
    public sealed record WatchPool;

    /// <summary>No worker is ready or loading and one failed to load: every chunk is refused until a worker registers.</summary>
    public sealed record PoolUnavailable(string Reason);

    public sealed record Run(ChunkRequest Request);

    public sealed record RunSucceeded(ChunkRequest Request, PipelineResult Result, TimeSpan Elapsed)
    {
        /// <summary>A pipeline built for this run's engines, for the worker to keep; never leaves the worker.</summary>
        public ITranscriptionPipeline? Built { get; init; }
    }

    public sealed record RunFailed(ChunkRequest Request, string Error);

    /// <summary>The router stops giving the worker work (an operator draining a GPU).</summary>
    public sealed record Drain(string Slot);

    public sealed record GetRouterStatus;

    public sealed record WorkerStatus(string Slot, string Provider, bool Busy, string? CurrentStream, long Runs, long Failures, bool Draining);

    public sealed record RouterStatus(int QueuedLive, int QueuedFinalize, IReadOnlyList<WorkerStatus> Workers);
}
