using Akka.Actor;
using Akka.Event;
using Muesli.Actors.Persistence;
using Muesli.Core.Commit;
using Muesli.Core.Merge;
using Muesli.Core.Protocol;
using Muesli.Core.Speakers;
using Muesli.Core.Transcripts;
using Muesli.Inference;
using static Muesli.Actors.Transcripts.TranscriptCommands;

namespace Muesli.Actors.Transcripts;

/// <summary>
/// One per meeting: receives offset results, applies the commit policy per stream, persists what it commits, and
/// publishes the meeting's events — in one order — to its subscribers. A subscriber that reconnects gets the
/// transcript so far.
/// </summary>
public sealed class TranscriptAggregator : EventSourcedEntity<TranscriptState, ITranscriptEvent>
{
    public static readonly IReadOnlyList<string> Stages = ["preparing", "transcribing", "diarizing", "merging", "recovering", "complete"];

    private readonly string _meetingId;
    private readonly MeetingOptions _options;
    private readonly HashSet<IActorRef> _subscribers = [];
    private long _published;
    private int _lastStage = -1;

    public TranscriptAggregator(string meetingId, MeetingOptions options)
        : base($"transcript-{meetingId}", TranscriptState.Empty, options.SnapshotEvery)
    {
        _meetingId = meetingId;
        _options = options;
        Command<OpenMeeting>(OnOpenMeeting);
        Command<Subscribe>(OnSubscribe);
        Command<Unsubscribe>(u =>
        {
            _subscribers.Remove(u.Subscriber);
            Context.Unwatch(u.Subscriber);
        });
        Command<Terminated>(t => _subscribers.Remove(t.ActorRef));
        Command<Publish>(p => PublishEvent(p.Event));
        Command<ReachStage>(r => ReachStageOnce(r.Stage));
        Command<ApplyWindow>(OnApplyWindow);
        Command<ApplyFinal>(OnApplyFinal);
        Command<StreamDone>(OnStreamDone);
        Command<GetTranscript>(_ => Sender.Tell(State));
    }

    public static Props Props(string meetingId, MeetingOptions options)
        => Akka.Actor.Props.Create(() => new TranscriptAggregator(meetingId, options));

    private void OnOpenMeeting(OpenMeeting open)
    {
        if (State.Opened)
        {
            Sender.Tell(new MeetingReady(_meetingId, Resumed: true, State.Segments.Count, State.Finalized));
            return;
        }

        var sender = Sender;
        Record(new TranscriptEvents.MeetingOpened(open.Streams, open.Transcribed, open.LabelByStream), _ =>
        {
            sender.Tell(new MeetingReady(_meetingId, Resumed: false, 0, false));
        });
    }

    private void OnSubscribe(Subscribe subscribe)
    {
        _subscribers.Add(subscribe.Subscriber);
        Context.Watch(subscribe.Subscriber);
        var replayed = 0;
        if (subscribe.Replay)
        {
            if (State.Speakers.Count > 0)
            {
                Send(subscribe.Subscriber, SpeakersEvent());
            }

            foreach (var segment in State.Segments)
            {
                Send(subscribe.Subscriber, segment.ToEvent(_options.EmitWords));
                replayed++;
            }

            if (State.Finalized)
            {
                Send(subscribe.Subscriber, ResultEvent());
            }
        }

        Sender.Tell(new Subscribed(_meetingId, replayed));
        if (State.Finalized)
        {
            subscribe.Subscriber.Tell(new MeetingFinalized(_meetingId, State.Completed));
        }
    }

    private void OnApplyWindow(ApplyWindow apply)
    {
        var sender = Sender;
        if (State.Finals.ContainsKey(apply.Stream))
        {
            sender.Tell(new WindowApplied(_meetingId, apply.Stream, apply.Seq, 0));
            return;
        }

        var (words, link) = Link(apply.Stream, apply.Result);
        var outcome = CommitPolicy.Apply(State.CommitOf(apply.Stream), words, apply.Cutoff, _options.Merge);
        var committed = Persistable(apply.Stream, apply.Seq, final: false, outcome) with { Link = link };
        Record(committed, e =>
        {
            PublishCommit(apply.Stream, e, outcome);
            PublishEvent(new MuesliEvents.LiveProcessDone(apply.Stream.Name(), apply.WindowEnd, apply.Result.Turns.Count, Finalize: false));
            sender.Tell(new WindowApplied(_meetingId, apply.Stream, apply.Seq, e.Segments.Count));
        });
    }

    private void OnApplyFinal(ApplyFinal apply)
    {
        var sender = Sender;
        if (State.Finals.ContainsKey(apply.Stream))
        {
            sender.Tell(new FinalApplied(_meetingId, apply.Stream, 0));
            return;
        }

        var words = SpeakerNaming.Name(apply.Words, apply.Stream, State.LabelByStream);
        var outcome = CommitPolicy.Apply(State.CommitOf(apply.Stream), words, double.PositiveInfinity, _options.Merge);
        var committed = Persistable(apply.Stream, long.MaxValue, final: true, outcome);
        var turns = SpeakerMerge.BuildTurns(words, _options.Merge)
            .Select(t => new FinalTurn(apply.Stream, IdOf(apply.Stream, t.Speaker), t.Start, t.End, t.Text))
            .ToArray();
        var recorded = new TranscriptEvents.FinalTranscriptRecorded(apply.Stream, turns, apply.Duration);
        var mapped = new TranscriptEvents.SpeakersMapped(apply.Stream, LiveToFinal(apply.Stream, turns));
        RecordAll([committed, recorded, mapped], e =>
        {
            switch (e)
            {
                case TranscriptEvents.WindowCommitted w:
                    PublishCommit(apply.Stream, w, outcome);
                    break;
                case TranscriptEvents.SpeakersMapped m:
                    if (m.LiveToFinal.Any(p => p.Key != p.Value))
                    {
                        PublishEvent(new MuesliEvents.SpeakerMap(apply.Stream.Name(), m.LiveToFinal));
                    }

                    PublishEvent(new MuesliEvents.LiveProcessDone(apply.Stream.Name(), apply.Duration, turns.Length, Finalize: true));
                    sender.Tell(new FinalApplied(_meetingId, apply.Stream, committed.Segments.Count));
                    break;
            }
        });
    }

    private void OnStreamDone(StreamDone done)
    {
        var sender = Sender;
        if (State.Completed.ContainsKey(done.Stream))
        {
            sender.Tell(new StreamDoneAck(_meetingId, done.Stream));
            return;
        }

        Record(new TranscriptEvents.StreamCompleted(done.Stream, done.TotalBytes), _ =>
        {
            sender.Tell(new StreamDoneAck(_meetingId, done.Stream));
            if (State.AllStreamsCompleted && !State.Finalized)
            {
                Record(new TranscriptEvents.MeetingCompleted(), _ =>
                {
                    ReachStageOnce("complete");
                    PublishEvent(ResultEvent());
                    foreach (var subscriber in _subscribers)
                    {
                        subscriber.Tell(new MeetingFinalized(_meetingId, State.Completed));
                    }

                    Snapshot();
                });
            }
        });
    }

    private TranscriptEvents.WindowCommitted Persistable(StreamKind stream, long seq, bool final, CommitOutcome outcome)
    {
        var segments = outcome.CommittedTurns
            .Select(t => new CommittedSegment(
                stream,
                t.Speaker,
                IdOf(stream, t.Speaker),
                t.Start,
                t.End,
                t.Text,
                t.Words.Select(w => new MuesliEvents.TimedWord(w.Text, w.Start, w.End)).ToArray()))
            .ToArray();
        var newSpeakers = segments.Select(s => s.SpeakerId).Distinct().Where(id => !State.Speakers.Contains(id)).ToArray();
        return new TranscriptEvents.WindowCommitted(stream, seq, final, outcome.State, segments, newSpeakers);
    }

    private void PublishCommit(StreamKind stream, TranscriptEvents.WindowCommitted committed, CommitOutcome outcome)
    {
        if (committed.NewSpeakers.Count > 0)
        {
            PublishEvent(SpeakersEvent());
        }

        foreach (var segment in committed.Segments)
        {
            PublishEvent(segment.ToEvent(_options.EmitWords));
        }

        if (outcome.PartialChanged)
        {
            var partial = outcome.Partial;
            PublishEvent(partial is null
                ? new MuesliEvents.Partial(string.Empty, stream.Name(), outcome.State.CommittedUntil is var t && double.IsFinite(t) ? t : 0, string.Empty)
                : new MuesliEvents.Partial(
                    IdOf(stream, partial.Speaker),
                    stream.Name(),
                    partial.Start,
                    partial.Text));
        }
    }

    /// <summary>A window's words under meeting-wide speakers, and the link that made them so (null when labelled by stream).</summary>
    private (IReadOnlyList<LabelledWord> Words, TranscriptEvents.SpeakerLink? Link) Link(StreamKind stream, PipelineResult result)
    {
        if (State.LabelByStream)
        {
            return (SpeakerNaming.Name(result.LabelledWords, stream, labelByStream: true), null);
        }

        var locals = result.Segments
            .GroupBy(s => s.Speaker)
            .Select(g => new LocalSpeaker(g.Key, result.Embeddings.GetValueOrDefault(g.Key), g.Sum(s => s.Duration), g.ToArray()))
            .ToArray();
        var mapping = SpeakerLinker.Link(State.LinkOf(stream), locals, _options.Linking);
        var words = result.LabelledWords.Select(w => w with { Speaker = mapping.GetValueOrDefault(w.Speaker, w.Speaker) }).ToArray();
        return (words, new TranscriptEvents.SpeakerLink(locals, mapping));
    }

    /// <summary>Each live speaker id of the stream → the final id whose turns share the most time with its segments.</summary>
    private Dictionary<string, string> LiveToFinal(StreamKind stream, IReadOnlyList<FinalTurn> final)
        => State.Segments
            .Where(s => s.Stream == stream)
            .GroupBy(s => s.SpeakerId)
            .Select(g => (Live: g.Key, Final: final
                .GroupBy(t => t.SpeakerId)
                .Select(f => (Id: f.Key, Shared: f.Sum(t => g.Sum(s => Math.Max(0, Math.Min(s.T1, t.T1) - Math.Max(s.T0, t.T0))))))
                .Where(f => f.Shared > 0)
                .OrderByDescending(f => f.Shared)
                .ThenBy(f => f.Id, StringComparer.Ordinal)
                .Select(f => f.Id)
                .FirstOrDefault()))
            .Where(p => p.Final is not null)
            .ToDictionary(p => p.Live, p => p.Final!);

    private string IdOf(StreamKind stream, string speaker) => SpeakerNaming.SpeakerId(stream, speaker, State.LabelByStream);

    private MuesliEvents.Speakers SpeakersEvent()
        => new(State.Speakers.Select(id => new MuesliEvents.KnownSpeaker(id, id)).ToArray());

    private MuesliEvents.Result ResultEvent()
    {
        var turns = State.Finals.Values
            .SelectMany(f => f.Turns)
            .OrderBy(t => t.T0)
            .ThenBy(t => t.Stream)
            .Select(t => new MuesliEvents.ResultTurn(t.SpeakerId, t.Stream.Name(), t.T0, t.T1, t.Text))
            .ToArray();
        var speakers = turns.Select(t => t.SpeakerId).Distinct().Select(id => new MuesliEvents.KnownSpeaker(id, id)).ToArray();
        var duration = State.Finals.Values.Select(f => f.Duration)
            .Concat(State.Completed.Values.Select(bytes => Core.AudioFormat.Asr.SecondsOf(bytes)))
            .DefaultIfEmpty(0)
            .Max();
        return new MuesliEvents.Result(turns, speakers, duration);
    }

    private void ReachStageOnce(string stage)
    {
        var index = Stages.ToList().IndexOf(stage);
        if (index <= _lastStage)
        {
            return;
        }

        _lastStage = index;
        PublishEvent(new MuesliEvents.Stage(stage));
    }

    private void PublishEvent(MuesliEvent e)
    {
        var number = ++_published;
        foreach (var subscriber in _subscribers)
        {
            subscriber.Tell(new EventPublished(_meetingId, number, e));
        }
    }

    private void Send(IActorRef subscriber, MuesliEvent e) => subscriber.Tell(new EventPublished(_meetingId, ++_published, e));
}
