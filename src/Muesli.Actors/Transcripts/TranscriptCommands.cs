using Akka.Actor;
using Muesli.Actors.Serialization;
using Muesli.Actors.Sharding;
using Muesli.Core.Protocol;
using Muesli.Core.Transcripts;
using Muesli.Core.Windows;
using Muesli.Inference;

namespace Muesli.Actors.Transcripts;

public static class TranscriptCommands
{
    /// <summary>Declares the meeting's streams. Replies <see cref="MeetingReady"/>, saying whether it resumed.</summary>
    public sealed record OpenMeeting(
        string MeetingId, IReadOnlyList<StreamKind> Streams, IReadOnlyList<StreamKind> Transcribed, bool LabelByStream, MeetingSettings? Settings = null)
        : IWithMeetingId, IMuesliMessage;

    /// <summary>
    /// A resumed meeting answers with what it was opened with (<paramref name="Transcribed"/>, <paramref name="LabelByStream"/>,
    /// <paramref name="Settings"/>): those hold, whatever the new connection asked for.
    /// </summary>
    public sealed record MeetingReady(
        string MeetingId,
        bool Resumed,
        int Segments,
        bool Finalized,
        IReadOnlyList<StreamKind>? Transcribed = null,
        bool LabelByStream = false,
        MeetingSettings? Settings = null) : IMuesliMessage;

    /// <summary>Events of the meeting go to <paramref name="Subscriber"/>; with replay, the transcript so far first.</summary>
    /// <remarks>
    /// An <paramref name="Exclusive"/> subscriber (a node's client connection) supersedes the others: each is told
    /// <see cref="Superseded"/> and gets no more events. <paramref name="Claim"/> orders connections by when they
    /// started, not by when their subscriptions arrive: an older connection's late subscription is superseded at once.
    /// </remarks>
    public sealed record Subscribe(string MeetingId, IActorRef Subscriber, bool Replay, bool Exclusive = false, long Claim = 0) : IWithMeetingId, IMuesliMessage;

    /// <summary>Told to a subscriber that a newer connection for the meeting took over.</summary>
    public sealed record Superseded(string MeetingId) : IMuesliMessage;

    public sealed record Subscribed(string MeetingId, int Replayed) : IMuesliMessage;

    public sealed record Unsubscribe(string MeetingId, IActorRef Subscriber) : IWithMeetingId, IMuesliMessage;

    /// <summary>Relays a transient event (status, error) in order with the meeting's other events.</summary>
    public sealed record Publish(string MeetingId, MuesliEvent Event) : IWithMeetingId, IMuesliMessage;

    /// <summary>Marks a stage of the full-file pass; each stage is published once per meeting, in order.</summary>
    public sealed record ReachStage(string MeetingId, string Stage) : IWithMeetingId, IMuesliMessage;

    /// <summary>One live window's results: commit what is final, publish segments and the partial.</summary>
    public sealed record ApplyWindow(
        string MeetingId,
        StreamKind Stream,
        long Seq,
        Window Window,
        double WindowEnd,
        double Cutoff,
        PipelineResult Result) : IWithMeetingId, IMuesliMessage;

    public sealed record WindowApplied(string MeetingId, StreamKind Stream, long Seq, int Segments) : IMuesliMessage;

    /// <summary>The full-file pass of a stream: commit its tail and keep its turns for the meeting's result.</summary>
    public sealed record ApplyFinal(string MeetingId, StreamKind Stream, IReadOnlyList<LabelledWord> Words, double Duration)
        : IWithMeetingId, IMuesliMessage;

    public sealed record FinalApplied(string MeetingId, StreamKind Stream, int Segments) : IMuesliMessage;

    /// <summary>A stream is finalized and retained; the last one completes the meeting.</summary>
    public sealed record StreamDone(string MeetingId, StreamKind Stream, long TotalBytes) : IWithMeetingId, IMuesliMessage;

    public sealed record StreamDoneAck(string MeetingId, StreamKind Stream) : IMuesliMessage;

    public sealed record GetTranscript(string MeetingId) : IWithMeetingId, IMuesliMessage;

    /// <summary>
    /// A finalized meeting publishes its result again to its subscribers (an operator's replay). Replies
    /// <see cref="Republished"/>; a meeting not finalized publishes nothing and says so.
    /// </summary>
    public sealed record Republish(string MeetingId) : IWithMeetingId, IMuesliMessage;

    public sealed record Republished(string MeetingId, bool Finalized, int Subscribers) : IMuesliMessage;

    /// <summary>What an operator sees of a meeting (<c>meetings show</c>). Replies <see cref="MeetingDescription"/>.</summary>
    public sealed record DescribeMeeting(string MeetingId) : IWithMeetingId, IMuesliMessage;

    /// <summary>
    /// A meeting's state: <paramref name="Connections"/> are its subscribers (a client's connection, on the node that
    /// holds it); <paramref name="Settings"/> what its MEETING_START gave; <paramref name="Speakers"/> the ids so far.
    /// </summary>
    public sealed record MeetingDescription(
        string MeetingId,
        bool Opened,
        bool Finalized,
        IReadOnlyList<string> Connections,
        MeetingSettings? Settings,
        IReadOnlyList<string> Speakers,
        int Segments) : IMuesliMessage;

    /// <summary>A meeting event for a subscriber, numbered in publication order.</summary>
    public sealed record EventPublished(string MeetingId, long Number, MuesliEvent Event) : IMuesliMessage;

    /// <summary>Told to subscribers once every stream of the meeting is finalized.</summary>
    public sealed record MeetingFinalized(string MeetingId, IReadOnlyDictionary<StreamKind, long> StreamBytes) : IMuesliMessage;
}
