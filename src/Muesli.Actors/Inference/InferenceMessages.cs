using System.Text.Json.Serialization;
using Akka.Actor;
using Muesli.Actors.Serialization;
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
/// One pipeline run: a stream's window and where its time zero lies on the meeting clock. The request is small: the
/// worker that runs it pulls the window's audio from <paramref name="ReplyTo"/> in pieces (<see cref="AudioPieces"/>),
/// and sends the result there. <paramref name="Engines"/> and <paramref name="Merge"/> are the meeting's own, where it
/// chose them (null: the worker's defaults). A requester sends its request again until it has an answer; the router
/// keeps one copy per (stream, priority, seq), so a router that failed over loses nothing and a request runs once.
/// </summary>
public sealed record ChunkRequest(
    string StreamId,
    long Seq,
    Window Window,
    WorkPriority Priority,
    IActorRef ReplyTo,
    int Attempt = 1,
    EngineChoice? Engines = null,
    MergeOptions? Merge = null) : IWithStreamId, IMuesliMessage
{
    /// <summary>What identifies the request across resends and retries.</summary>
    public (string StreamId, WorkPriority Priority, long Seq) Key => (StreamId, Priority, Seq);

    /// <summary>Samples (16 kHz mono) the window holds.</summary>
    public int SampleCount => (int)((Window.ReadEnd - Window.ReadStart) / Core.AudioFormat.BytesPerSample);
}

public sealed record ChunkResult(string StreamId, long Seq, Window Window, PipelineResult Result, TimeSpan Elapsed)
    : IWithStreamId, IMuesliMessage;

/// <summary>A run failed; <paramref name="WillRetry"/> says whether the router has queued it again.</summary>
public sealed record ChunkFailed(string StreamId, long Seq, string Error, int Attempt, bool WillRetry) : IWithStreamId, IMuesliMessage;

/// <summary>
/// The chunk was not run and will not be: no worker of the pool could build its pipeline. <paramref name="Reason"/> is
/// the workers' error, which the pool's watchers (the meeting sessions) report to the client once.
/// </summary>
public sealed record ChunkRefused(string StreamId, long Seq, string Reason) : IWithStreamId, IMuesliMessage;

public static class WorkerMessages
{
    /// <summary>A worker is building its pipeline: the pool counts on it, but gives it no work yet.</summary>
    public sealed record WorkerLoading(string Slot, string Provider) : IMuesliMessage;

    /// <summary>A worker announces it is ready for work (work pulling).</summary>
    public sealed record RegisterWorker(string Slot, string Provider) : IMuesliMessage;

    /// <summary>A worker could not build its pipeline and will run no work.</summary>
    public sealed record WorkerFailed(string Slot, string Error) : IMuesliMessage;

    /// <summary>The sender is told <see cref="PoolUnavailable"/> when (or if already) no worker can run work.</summary>
    public sealed record WatchPool : IMuesliMessage;

    /// <summary>No worker is ready or loading and one failed to load: every chunk is refused until a worker registers.</summary>
    public sealed record PoolUnavailable(string Reason) : IMuesliMessage;

    public sealed record Run(ChunkRequest Request) : IMuesliMessage;

    public sealed record RunSucceeded(ChunkRequest Request, PipelineResult Result, TimeSpan Elapsed) : IMuesliMessage
    {
        /// <summary>A pipeline built for this run's engines, for the worker to keep; never leaves the worker.</summary>
        [JsonIgnore]
        public ITranscriptionPipeline? Built { get; init; }
    }

    public sealed record RunFailed(ChunkRequest Request, string Error) : IMuesliMessage;

    /// <summary>
    /// The worker could not get the request's audio: its requester is gone or has moved on (it will send the request
    /// again if it still wants it). The router drops the request.
    /// </summary>
    public sealed record RunAbandoned(ChunkRequest Request, string Reason) : IMuesliMessage;

    /// <summary>The router stops giving the worker work (an operator draining a GPU); <paramref name="Slot"/> is its id or its device name.</summary>
    public sealed record Drain(string Slot) : IMuesliMessage;

    /// <summary>A drained slot gets work again.</summary>
    public sealed record Resume(string Slot) : IMuesliMessage;

    public sealed record GetRouterStatus : IMuesliMessage;

    public sealed record WorkerStatus(string Slot, string Provider, bool Busy, string? CurrentStream, long Runs, long Failures, bool Draining) : IMuesliMessage
    {
        /// <summary>host:port of the worker's node.</summary>
        public string Node { get; init; } = "";

        /// <summary>What names the slot across the cluster (every node may have a <c>cpu</c>): <c>{node}/{slot}</c>.</summary>
        public string Id => $"{Node}/{Slot}";

        /// <summary>When the router last gave it a chunk (UTC); null: never.</summary>
        public DateTime? LastChunkAt { get; init; }
    }

    public sealed record RouterStatus(int QueuedLive, int QueuedFinalize, IReadOnlyList<WorkerStatus> Workers) : IMuesliMessage;
}
