using Akka.Actor;
using Muesli.Actors.Serialization;
using Muesli.Actors.Streams;
using static Muesli.Actors.Streams.StreamCommands;

namespace Muesli.Actors.Operations;

/// <summary>
/// One per node, at <c>/user/muesli-ops</c>: the streams running here. A stream tells it when it opens or recovers;
/// it forgets the stream when the stream's actor stops. Asked for its streams, it asks each for its status, so the
/// operator sees the figures of that moment, not of the last report.
/// </summary>
public sealed class OperationsRegistry : ReceiveActor
{
    public const string Name = "muesli-ops";

    private static readonly TimeSpan AskLimit = TimeSpan.FromSeconds(3);
    private readonly Dictionary<IActorRef, string> _streams = new();

    public OperationsRegistry()
    {
        Receive<StreamRunning>(running =>
        {
            if (_streams.TryAdd(Sender, running.StreamId))
            {
                Context.Watch(Sender);
            }
        });
        Receive<Terminated>(t => _streams.Remove(t.ActorRef));
        Receive<ListStreams>(_ =>
        {
            var node = ((ExtendedActorSystem)Context.System).Provider.DefaultAddress;
            var asks = _streams.Keys.Select(stream => stream.Ask<StreamStatus>(new GetStreamStatus(_streams[stream]), AskLimit)).ToArray();
            Task.WhenAll(asks.Select(a => a.ContinueWith(t => t.IsCompletedSuccessfully ? t.Result : null, TaskScheduler.Default)))
                .ContinueWith(
                    t => new LocalStreams($"{node.Host}:{node.Port}", t.Result.OfType<StreamStatus>().Select(StreamSummary.Of).OrderBy(s => s.StreamId, StringComparer.Ordinal).ToArray()),
                    TaskScheduler.Default)
                .PipeTo(Sender);
        });
    }

    public static Props Props() => Akka.Actor.Props.Create(() => new OperationsRegistry());

    /// <summary>Where a stream reports to: this node's registry.</summary>
    public static ActorSelection Of(IActorContext context) => context.System.ActorSelection($"/user/{Name}");

    /// <summary>A stream is open on this node (sent by the stream's actor).</summary>
    public sealed record StreamRunning(string StreamId);

    public sealed record ListStreams : IMuesliMessage;

    public sealed record LocalStreams(string Node, IReadOnlyList<StreamSummary> Streams) : IMuesliMessage;
}

/// <summary>What the console shows of a stream: its status without the disk counters and pass history.</summary>
public sealed record StreamSummary(
    string StreamId,
    string? MeetingId,
    StreamLifecycle Lifecycle,
    long RecordedBytes,
    long LastProcessedByte,
    long? ChunkInFlight,
    long ChunksCommitted,
    long DroppedFrames,
    bool Transcribed,
    int Passes = 0,
    double? PassP50 = null,
    double? PassP95 = null,
    long Retries = 0,
    long Errors = 0,
    string? LastError = null) : IMuesliMessage
{
    public static StreamSummary Of(StreamStatus s)
    {
        var passes = s.PassSeconds.Order().ToArray();
        return new(
            s.StreamId, s.MeetingId, s.Lifecycle, s.RecordedBytes, s.LastProcessedByte, s.ChunkInFlight, s.ChunksCommitted, s.DroppedFrames, s.Transcribed,
            passes.Length, Percentile(passes, 0.50), Percentile(passes, 0.95), s.Retries, s.Errors, s.LastError);
    }

    /// <summary>The nearest-rank percentile of sorted values, to the millisecond; null for none.</summary>
    private static double? Percentile(double[] sorted, double p)
        => sorted.Length == 0 ? null : Math.Round(sorted[Math.Max(0, (int)Math.Ceiling(p * sorted.Length) - 1)], 3);

    /// <summary>Seconds of audio recorded but not yet transcribed; null for a stream that is only recorded.</summary>
    public double? LagSeconds => Transcribed ? Math.Round(Core.AudioFormat.Asr.SecondsOf(RecordedBytes - LastProcessedByte), 1) : null;
}
