using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Muesli.Actors.Inference;
using Muesli.Actors.Streams;

namespace Muesli.Actors;

/// <summary>
/// The node's own measurements, on one <see cref="Meter"/> named <see cref="MeterName"/>: a host exports them (in
/// Prometheus text format on <c>muesli node --http-port</c>). Everything but the latency histogram is observed when
/// collected, from the counts kept here, so every series exists from the start (at 0) and a meeting's lag series goes
/// when its streams do.
/// </summary>
public static class MuesliMetrics
{
    public const string MeterName = "Muesli";

    public static readonly string[] Outcomes = ["succeeded", "failed", "abandoned"];

    private static readonly WorkPriority[] Priorities = [WorkPriority.Live, WorkPriority.Finalize];

    private static readonly long[] ChunkCounts = new long[Priorities.Length * Outcomes.Length];
    private static readonly int[] QueueDepths = new int[Priorities.Length];
    private static readonly ConcurrentDictionary<string, double> BusySeconds = new();
    private static readonly ConcurrentDictionary<string, bool> SlotsReady = new();
    private static readonly ConcurrentDictionary<string, StreamGauge> Streams = new();
    private static readonly long[] PersistenceFailureCounts = new long[3];
    private static readonly string[] PersistenceFailureKinds = ["write", "rejected", "recovery"];
    private static long _pcmBytes;
    private static long _overlapFrames;
    private static int _connections;

    private static readonly Meter Meter = new(MeterName);

    /// <summary>The meter's name; reading it creates the instruments, so an exporter reads it before it listens.</summary>
    public static string Name => Meter.Name;

    private static readonly Histogram<double> ChunkSeconds = Meter.CreateHistogram<double>(
        "muesli_chunk_duration_seconds", "s", "Seconds a worker took to run a chunk, by priority");

    static MuesliMetrics()
    {
        Meter.CreateObservableCounter("muesli_chunks_total", ObserveChunks, description: "Chunks the worker slots of this node ran, by priority (live, finalize) and outcome (succeeded, failed, abandoned)");
        Meter.CreateObservableGauge("muesli_queue_depth", ObserveQueue, description: "Chunks waiting in the work router (on the node that hosts it), by priority");
        Meter.CreateObservableCounter("muesli_worker_busy_seconds_total", () => BusySeconds.Select(b => new Measurement<double>(b.Value, new KeyValuePair<string, object?>("slot", b.Key))), "s", "Seconds each worker slot spent running chunks");
        Meter.CreateObservableGauge("muesli_worker_ready", () => SlotsReady.Select(s => new Measurement<int>(s.Value ? 1 : 0, new KeyValuePair<string, object?>("slot", s.Key))), description: "1 once a worker slot has built its pipeline, 0 while it loads or after it failed");
        Meter.CreateObservableGauge("muesli_live_lag_seconds", ObserveLag, "s", "Seconds of audio recorded but not yet processed live, per meeting (its most behind stream)");
        Meter.CreateObservableGauge("muesli_connections", () => Volatile.Read(ref _connections), description: "Client connections open on this node's ingest listener");
        Meter.CreateObservableGauge("muesli_meetings", ObserveMeetings, description: "Meetings with a stream hosted on this node that is not finalized");
        Meter.CreateObservableGauge("muesli_streams", ObserveStreams, description: "Streams hosted on this node, by state (live, finalizing, finalized)");
        Meter.CreateObservableCounter("muesli_persistence_failures_total", ObservePersistenceFailures, description: "Journal writes that failed or were rejected, and recoveries that failed, by kind");
        Meter.CreateObservableCounter("muesli_pcm_bytes_written_total", () => Volatile.Read(ref _pcmBytes), "By", "Bytes of 16 kHz PCM appended to the streams' logs");
        Meter.CreateObservableCounter("muesli_overlap_frames_dropped_total", () => Volatile.Read(ref _overlapFrames), description: "Audio frames dropped because they overlapped audio already recorded");
    }

    /// <summary>A worker slot ran (or gave up) a chunk; <paramref name="seconds"/> is the time it was busy with it.</summary>
    public static void ChunkRan(WorkPriority priority, string outcome, string slot, double seconds)
    {
        var o = Array.IndexOf(Outcomes, outcome);
        if (o < 0)
        {
            throw new ArgumentException($"unknown outcome {outcome}", nameof(outcome));
        }

        Interlocked.Increment(ref ChunkCounts[(Index(priority) * Outcomes.Length) + o]);
        if (outcome != "abandoned")
        {
            BusySeconds.AddOrUpdate(slot, seconds, (_, total) => total + seconds);
            ChunkSeconds.Record(seconds, new KeyValuePair<string, object?>("priority", Label(priority)));
        }
    }

    /// <summary>A worker slot exists (loading, <paramref name="ready"/> false) or has built its pipeline.</summary>
    public static void WorkerSlot(string slot, bool ready)
    {
        SlotsReady[slot] = ready;
        BusySeconds.TryAdd(slot, 0);
    }

    /// <summary>The worker slots of this node that have built their pipelines.</summary>
    public static IReadOnlyCollection<string> ReadySlots => SlotsReady.Where(s => s.Value).Select(s => s.Key).ToArray();

    public static void QueueDepth(int live, int finalize)
    {
        Volatile.Write(ref QueueDepths[0], live);
        Volatile.Write(ref QueueDepths[1], finalize);
    }

    /// <summary>A stream on this node: its meeting, its state, and how far live processing is behind its log (null: not processed live).</summary>
    public static void Stream(string streamId, string meetingId, StreamLifecycle state, double? lagSeconds)
        => Streams[streamId] = new StreamGauge(meetingId, state, lagSeconds);

    /// <summary>The stream's actor stopped here: its series go.</summary>
    public static void StreamGone(string streamId) => Streams.TryRemove(streamId, out _);

    public static void ConnectionOpened() => Interlocked.Increment(ref _connections);

    public static void ConnectionClosed() => Interlocked.Decrement(ref _connections);

    public static void PersistenceFailed(PersistenceFailure kind) => Interlocked.Increment(ref PersistenceFailureCounts[(int)kind]);

    public static void PcmWritten(long bytes) => Interlocked.Add(ref _pcmBytes, bytes);

    public static void OverlapDropped(long frames) => Interlocked.Add(ref _overlapFrames, frames);

    private static int Index(WorkPriority priority) => priority == WorkPriority.Live ? 0 : 1;

    private static string Label(WorkPriority priority) => priority == WorkPriority.Live ? "live" : "finalize";

    private static IEnumerable<Measurement<long>> ObserveChunks()
    {
        foreach (var priority in Priorities)
        {
            for (var o = 0; o < Outcomes.Length; o++)
            {
                yield return new Measurement<long>(
                    Volatile.Read(ref ChunkCounts[(Index(priority) * Outcomes.Length) + o]),
                    new KeyValuePair<string, object?>("priority", Label(priority)),
                    new KeyValuePair<string, object?>("outcome", Outcomes[o]));
            }
        }
    }

    private static IEnumerable<Measurement<int>> ObserveQueue()
        => Priorities.Select(p => new Measurement<int>(Volatile.Read(ref QueueDepths[Index(p)]), new KeyValuePair<string, object?>("priority", Label(p))));

    private static IEnumerable<Measurement<double>> ObserveLag()
        => Streams.Values
            .Where(s => s.LagSeconds is not null && s.State == StreamLifecycle.Live)
            .GroupBy(s => s.MeetingId)
            .Select(g => new Measurement<double>(g.Max(s => s.LagSeconds!.Value), new KeyValuePair<string, object?>("meeting", g.Key)));

    private static int ObserveMeetings()
        => Streams.Values.Where(s => s.State is StreamLifecycle.Live or StreamLifecycle.Finalizing).Select(s => s.MeetingId).Distinct().Count();

    private static IEnumerable<Measurement<int>> ObserveStreams()
    {
        var streams = Streams.Values.ToArray();
        foreach (var state in new[] { StreamLifecycle.Live, StreamLifecycle.Finalizing, StreamLifecycle.Finalized })
        {
            yield return new Measurement<int>(streams.Count(s => s.State == state), new KeyValuePair<string, object?>("state", state.ToString().ToLowerInvariant()));
        }
    }

    private static IEnumerable<Measurement<long>> ObservePersistenceFailures()
        => PersistenceFailureKinds.Select((kind, i) => new Measurement<long>(Volatile.Read(ref PersistenceFailureCounts[i]), new KeyValuePair<string, object?>("kind", kind)));

    private sealed record StreamGauge(string MeetingId, StreamLifecycle State, double? LagSeconds);
}

/// <summary>How a persistent entity's journal failed it: a write that failed, one the journal rejected, a failed recovery.</summary>
public enum PersistenceFailure
{
    Write,
    Rejected,
    Recovery,
}
