using Muesli.Actors.Persistence;
using Muesli.Actors.Serialization;
using Muesli.Core.Protocol;

namespace Muesli.Actors.Streams;

/// <summary>What a <see cref="StreamActor"/> persists: the facts its state is rebuilt from.</summary>
public interface IStreamEvent : IMuesliPersisted;

public static class StreamEvents
{
    /// <summary>The stream exists, with the source format its audio arrives in.</summary>
    public sealed record StreamOpened(
        string MeetingId, StreamKind Stream, int SampleRate, int Channels, bool Transcribe, MeetingSettings? Settings = null)
        : IStreamEvent;

    /// <summary>A live chunk's results are committed: <c>lastProcessedByte</c> advances to <paramref name="ReadEnd"/>.</summary>
    public sealed record ChunkCommitted(long Seq, long ReadEnd) : IStreamEvent;

    /// <summary>Stop arrived: no more live passes; the stream's length at that moment.</summary>
    public sealed record FinalizeStarted(long TotalBytes) : IStreamEvent;

    /// <summary>The full-file pass is done and the files are retained or removed.</summary>
    public sealed record StreamFinalized(long TotalBytes) : IStreamEvent;
}

public enum StreamLifecycle
{
    New,
    Live,
    Finalizing,
    Finalized,
}

/// <summary>A stream's event-sourced state; also its snapshot.</summary>
public sealed record StreamState(
    string? MeetingId,
    StreamKind Stream,
    int SampleRate,
    int Channels,
    bool Transcribe,
    long LastProcessedByte,
    long NextSeq,
    StreamLifecycle Lifecycle,
    long FinalBytes,
    MeetingSettings? Settings = null) : IMuesliPersisted, IEventSourcedState<StreamState, IStreamEvent>
{
    public static readonly StreamState Empty = new(null, StreamKind.System, 0, 0, false, 0, 0, StreamLifecycle.New, 0);

    public StreamState Apply(IStreamEvent e) => e switch
    {
        StreamEvents.StreamOpened o => this with
        {
            MeetingId = o.MeetingId,
            Stream = o.Stream,
            SampleRate = o.SampleRate,
            Channels = o.Channels,
            Transcribe = o.Transcribe,
            Settings = o.Settings ?? Settings,
            Lifecycle = Lifecycle == StreamLifecycle.New ? StreamLifecycle.Live : Lifecycle,
        },
        StreamEvents.ChunkCommitted c => this with
        {
            LastProcessedByte = Math.Max(LastProcessedByte, c.ReadEnd),
            NextSeq = Math.Max(NextSeq, c.Seq + 1),
        },
        StreamEvents.FinalizeStarted f => this with { Lifecycle = StreamLifecycle.Finalizing, FinalBytes = f.TotalBytes },
        StreamEvents.StreamFinalized f => this with { Lifecycle = StreamLifecycle.Finalized, FinalBytes = f.TotalBytes },
        _ => throw new ArgumentOutOfRangeException(nameof(e), e.GetType().Name, "unknown stream event"),
    };
}
