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
public sealed class TranscriptAggregator : EventSourcedEntity<TranscriptState, ITranscriptEvent>, IWithTimers
{
    public static readonly IReadOnlyList<string> Stages = ["preparing", "transcribing", "diarizing", "merging", "recovering", "complete"];

    private readonly string _meetingId;
    private readonly MeetingOptions _defaults;
    private readonly IActorRef _streams;
    private readonly HashSet<IActorRef> _subscribers = [];
    private long _published;
    private long _claim = long.MinValue;
    private int _lastStage = -1;

    public TranscriptAggregator(string meetingId, MeetingOptions options, IActorRef streams)
        : base($"transcript-{meetingId}", TranscriptState.Empty, options.SnapshotEvery)
    {
        _meetingId = meetingId;
        _defaults = options;
        _streams = streams;
        Command<OpenMeeting>(OnOpenMeeting);
        Command<Subscribe>(OnSubscribe);
        Command<Unsubscribe>(u =>
        {
            _subscribers.Remove(u.Subscriber);
            Context.Unwatch(u.Subscriber);
            OnSubscriberGone();
        });
        Command<Terminated>(t =>
        {
            _subscribers.Remove(t.ActorRef);
            OnSubscriberGone();
        });
        Command<Abandoned>(_ => Abandon());
        Command<Streams.StreamCommands.StopAccepted>(_ => { });
        Command<Publish>(p => PublishEvent(p.Event));
        Command<ReachStage>(r => ReachStageOnce(r.Stage));
        Command<ApplyWindow>(OnApplyWindow);
        Command<ApplyFinal>(OnApplyFinal);
        Command<StreamDone>(OnStreamDone);
        Command<GetTranscript>(_ => Sender.Tell(State));
        Command<DescribeMeeting>(_ => Sender.Tell(new MeetingDescription(
            _meetingId,
            State.Opened,
            State.Finalized,
            _subscribers.Select(s => s.Path.ToString()).Order(StringComparer.Ordinal).ToArray(),
            State.Settings,
            State.Speakers,
            State.Segments.Count)));
        Command<Republish>(_ =>
        {
            if (State.Finalized)
            {
                PublishEvent(ResultEvent());
            }

            Sender.Tell(new Republished(_meetingId, State.Finalized, State.Finalized ? _subscribers.Count : 0));
            OnSubscriberGone();
        });
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(string meetingId, MeetingOptions options, IActorRef streams)
        => Akka.Actor.Props.Create(() => new TranscriptAggregator(meetingId, options, streams));

    // A message is waiting for this entity: it must not passivate now, or the shard would start it again and again.
    protected override void OnReplaySuccess() => OnSubscriberGone(passivate: false);

    /// <summary>
    /// No client is connected: a finalized meeting has nothing left to do here; a live one waits
    /// <see cref="MeetingOptions.AbandonAfter"/> for its client to come back.
    /// </summary>
    private void OnSubscriberGone(bool passivate = true)
    {
        if (_subscribers.Count > 0 || !State.Opened)
        {
            return;
        }

        if (State.Finalized)
        {
            if (passivate)
            {
                Context.Parent.Tell(new Akka.Cluster.Sharding.Passivate(PoisonPill.Instance));
            }

            return;
        }

        if (_defaults.AbandonAfter is { } wait && !Timers.IsTimerActive(Abandoned.Instance))
        {
            Log.Info("meeting {0}: no client connected; finalized in {1} unless one reconnects", _meetingId, wait);
            Timers.StartSingleTimer(Abandoned.Instance, Abandoned.Instance, wait);
        }
    }

    /// <summary>The client never came back: the meeting is stopped as if it had sent STOP.</summary>
    private void Abandon()
    {
        if (_subscribers.Count > 0 || State.Finalized)
        {
            return;
        }

        Log.Warning("meeting {0}: no client for {1}; finalizing it", _meetingId, _defaults.AbandonAfter);
        ReachStageOnce("preparing");
        foreach (var stream in State.Streams)
        {
            _streams.Tell(new Streams.StreamCommands.StopStream(Sharding.EntityIds.StreamId(_meetingId, stream)));
        }
    }

    /// <summary>The node's options with the meeting's own settings.</summary>
    private MeetingOptions Options => _defaults.With(State.Settings);

    private void OnOpenMeeting(OpenMeeting open)
    {
        if (State.Opened)
        {
            Sender.Tell(Ready(resumed: true));
            return;
        }

        var sender = Sender;
        Record(new TranscriptEvents.MeetingOpened(open.Streams, open.Transcribed, open.LabelByStream, open.Settings), _ =>
        {
            sender.Tell(Ready(resumed: false));
        });
    }

    private MeetingReady Ready(bool resumed)
        => new(_meetingId, resumed, State.Segments.Count, State.Finalized, State.Transcribed, State.LabelByStream, State.Settings);

    private void OnSubscribe(Subscribe subscribe)
    {
        if (subscribe.Exclusive && subscribe.Claim < _claim)
        {
            Sender.Tell(new Subscribed(_meetingId, 0));
            subscribe.Subscriber.Tell(new Superseded(_meetingId));
            return;
        }

        if (subscribe.Exclusive)
        {
            _claim = subscribe.Claim;
            foreach (var older in _subscribers.Where(s => !s.Equals(subscribe.Subscriber)).ToArray())
            {
                older.Tell(new Superseded(_meetingId));
                Context.Unwatch(older);
                _subscribers.Remove(older);
            }
        }

        Timers.Cancel(Abandoned.Instance);
        var known = !_subscribers.Add(subscribe.Subscriber);
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
                Send(subscribe.Subscriber, segment.ToEvent(Options.EmitWords));
                replayed++;
            }

            if (State.Finalized)
            {
                Send(subscribe.Subscriber, ResultEvent());
            }
        }
        else if (State.Finalized && !known)
        {
            // A session renewing a subscription this incarnation never had (the entity stopped and came back, e.g.
            // after a journal outage): it missed the result, which it must not.
            Send(subscribe.Subscriber, ResultEvent());
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
        if (State.Finals.ContainsKey(apply.Stream) || State.HasWindow(apply.Stream, apply.Seq))
        {
            // Finalized, or a resend of a window already committed (its acknowledgement was lost): applied once.
            sender.Tell(new WindowApplied(_meetingId, apply.Stream, apply.Seq, 0));
            return;
        }

        var (words, link) = Link(apply.Stream, apply.Result);
        var outcome = CommitPolicy.Apply(State.CommitOf(apply.Stream), words, apply.Cutoff, Options.Merge);
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

        var timing = StageClock.Time(StageClock.Merge);
        var words = SpeakerNaming.Name(apply.Words, apply.Stream, State.LabelByStream);
        var outcome = CommitPolicy.Apply(State.CommitOf(apply.Stream), words, double.PositiveInfinity, Options.Merge);
        var committed = Persistable(apply.Stream, long.MaxValue, final: true, outcome);
        var turns = SpeakerMerge.BuildTurns(words, Options.Merge)
            .Select(t => new FinalTurn(apply.Stream, IdOf(apply.Stream, t.Speaker), t.Start, t.End, t.Text, TimedWords(t.Words)))
            .ToArray();
        timing.Dispose();
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
                    Log.Info("meeting {0} completed: {1} segments, {2} speakers", _meetingId, State.Segments.Count, State.Speakers.Count);
                    ReachStageOnce("complete");
                    PublishEvent(ResultEvent());
                    foreach (var subscriber in _subscribers)
                    {
                        subscriber.Tell(new MeetingFinalized(_meetingId, State.Completed));
                    }

                    Snapshot();
                    OnSubscriberGone();
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
                TimedWords(t.Words)))
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
            PublishEvent(segment.ToEvent(Options.EmitWords));
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
        var mapping = SpeakerLinker.Link(State.LinkOf(stream), locals, Options.Linking);
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

    private static MuesliEvents.TimedWord[] TimedWords(IReadOnlyList<Word> words)
        => words.Select(w => new MuesliEvents.TimedWord(w.Text, w.Start, w.End, w.Confidence)).ToArray();

    /// <summary>The meeting's result; its turns carry their words when the meeting asked for words (<c>emit_words</c>).</summary>
    private MuesliEvents.Result ResultEvent()
    {
        var withWords = Options.EmitWords;
        var turns = State.Finals.Values
            .SelectMany(f => f.Turns)
            .OrderBy(t => t.T0)
            .ThenBy(t => t.Stream)
            .Select(t => new MuesliEvents.ResultTurn(t.SpeakerId, t.Stream.Name(), t.T0, t.T1, t.Text, withWords ? t.Words : null))
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

    /// <summary>The clients hear why their transcript stalls; the audio is still recorded, and this entity comes back.</summary>
    protected override void OnJournalUnavailable(Exception cause)
        => PublishEvent(new MuesliEvents.Error(
            $"journal_unavailable: the transcript cannot be saved now ({cause.GetBaseException().Message}); the audio is still recorded and the meeting goes on when the database is back"));

    private void PublishEvent(MuesliEvent e)
    {
        var number = ++_published;
        foreach (var subscriber in _subscribers)
        {
            subscriber.Tell(new EventPublished(_meetingId, number, e));
        }
    }

    private void Send(IActorRef subscriber, MuesliEvent e) => subscriber.Tell(new EventPublished(_meetingId, ++_published, e));

    private sealed class Abandoned
    {
        public static readonly Abandoned Instance = new();
    }
}
