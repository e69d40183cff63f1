using System.Collections.Immutable;
using System.Text.Json.Serialization;
using Muesli.Actors.Persistence;
using Muesli.Actors.Serialization;
using Muesli.Core.Commit;
using Muesli.Core.Protocol;
using Muesli.Core.Speakers;

namespace Muesli.Actors.Transcripts;

/// <summary>What a <see cref="TranscriptAggregator"/> persists.</summary>
public interface ITranscriptEvent : IMuesliPersisted;

/// <summary>A committed turn as the client received it, with its words' timings.</summary>
public sealed record CommittedSegment(
    StreamKind Stream,
    string Speaker,
    string SpeakerId,
    double T0,
    double T1,
    string Text,
    IReadOnlyList<MuesliEvents.TimedWord> Words)
{
    public MuesliEvents.Segment ToEvent(bool withWords) => new(Speaker, SpeakerId, Stream.Name(), T0, T1, Text, withWords ? Words : null);
}

/// <summary>A turn of the full-file pass, with its meeting-wide speaker id and its words (null when recorded before words were kept).</summary>
public sealed record FinalTurn(
    StreamKind Stream,
    string SpeakerId,
    double T0,
    double T1,
    string Text,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<MuesliEvents.TimedWord>? Words = null);

public static class TranscriptEvents
{
    public sealed record MeetingOpened(
        IReadOnlyList<StreamKind> Streams, IReadOnlyList<StreamKind> Transcribed, bool LabelByStream, MeetingSettings? Settings = null)
        : ITranscriptEvent;

    /// <summary>
    /// One window's commit: the stream's commit state after it, the segments it made final, and how its local
    /// speakers were linked to meeting-wide ones (replayed to rebuild the speakers' centroids).
    /// </summary>
    public sealed record WindowCommitted(
        StreamKind Stream,
        long Seq,
        bool Final,
        CommitState After,
        IReadOnlyList<CommittedSegment> Segments,
        IReadOnlyList<string> NewSpeakers,
        SpeakerLink? Link = null) : ITranscriptEvent;

    /// <summary>Which meeting-wide speaker each of a window's local speakers became.</summary>
    public sealed record SpeakerLink(IReadOnlyList<LocalSpeaker> Locals, IReadOnlyDictionary<string, string> Mapping);

    /// <summary>How the live speaker ids of a stream map onto the full-file pass's ids.</summary>
    public sealed record SpeakersMapped(StreamKind Stream, IReadOnlyDictionary<string, string> LiveToFinal) : ITranscriptEvent;

    public sealed record FinalTranscriptRecorded(StreamKind Stream, IReadOnlyList<FinalTurn> Turns, double Duration)
        : ITranscriptEvent;

    public sealed record StreamCompleted(StreamKind Stream, long TotalBytes) : ITranscriptEvent;

    public sealed record MeetingCompleted : ITranscriptEvent;
}

/// <summary>A meeting's transcript so far; also the aggregator's snapshot.</summary>
public sealed record TranscriptState(
    bool Opened,
    IReadOnlyList<StreamKind> Streams,
    IReadOnlyList<StreamKind> Transcribed,
    bool LabelByStream,
    ImmutableDictionary<StreamKind, CommitState> Commit,
    ImmutableList<CommittedSegment> Segments,
    ImmutableList<string> Speakers,
    ImmutableDictionary<StreamKind, TranscriptEvents.FinalTranscriptRecorded> Finals,
    ImmutableDictionary<StreamKind, long> Completed,
    bool Finalized,
    ImmutableDictionary<StreamKind, SpeakerLinkState>? Links = null,
    MeetingSettings? Settings = null,
    ImmutableDictionary<StreamKind, long>? LastSeq = null) : IMuesliPersisted, IEventSourcedState<TranscriptState, ITranscriptEvent>
{
    /// <summary>Whether the stream's live window <paramref name="seq"/> is already committed (a resent ApplyWindow).</summary>
    public bool HasWindow(StreamKind stream, long seq) => LastSeq is { } last && last.TryGetValue(stream, out var at) && at >= seq;

    public static readonly TranscriptState Empty = new(
        false,
        [],
        [],
        false,
        ImmutableDictionary<StreamKind, CommitState>.Empty,
        ImmutableList<CommittedSegment>.Empty,
        ImmutableList<string>.Empty,
        ImmutableDictionary<StreamKind, TranscriptEvents.FinalTranscriptRecorded>.Empty,
        ImmutableDictionary<StreamKind, long>.Empty,
        false);

    public CommitState CommitOf(StreamKind stream) => Commit.GetValueOrDefault(stream, CommitState.Initial);

    public SpeakerLinkState LinkOf(StreamKind stream) => Links?.GetValueOrDefault(stream) ?? SpeakerLinkState.Empty;

    [JsonIgnore]
    public bool AllStreamsCompleted => Opened && Streams.All(Completed.ContainsKey);

    public TranscriptState Apply(ITranscriptEvent e) => e switch
    {
        TranscriptEvents.MeetingOpened o => this with
        {
            Opened = true,
            Streams = o.Streams,
            Transcribed = o.Transcribed,
            LabelByStream = o.LabelByStream,
            Settings = o.Settings,
        },
        TranscriptEvents.WindowCommitted w => this with
        {
            Commit = Commit.SetItem(w.Stream, w.After),
            Segments = Segments.AddRange(w.Segments),
            Speakers = Speakers.AddRange(w.NewSpeakers),
            Links = w.Link is { } link
                ? (Links ?? ImmutableDictionary<StreamKind, SpeakerLinkState>.Empty).SetItem(w.Stream, SpeakerLinker.Update(LinkOf(w.Stream), link.Locals, link.Mapping))
                : Links,
            LastSeq = w.Final ? LastSeq : (LastSeq ?? ImmutableDictionary<StreamKind, long>.Empty).SetItem(w.Stream, w.Seq),
        },
        TranscriptEvents.SpeakersMapped m => this with { Speakers = Speakers.AddRange(m.LiveToFinal.Values.Distinct().Where(id => !Speakers.Contains(id))) },
        TranscriptEvents.FinalTranscriptRecorded f => this with { Finals = Finals.SetItem(f.Stream, f) },
        TranscriptEvents.StreamCompleted c => this with { Completed = Completed.SetItem(c.Stream, c.TotalBytes) },
        TranscriptEvents.MeetingCompleted => this with { Finalized = true },
        _ => throw new ArgumentOutOfRangeException(nameof(e), e.GetType().Name, "unknown transcript event"),
    };
}
