using Akka.Actor;
using Akka.TestKit;
using Muesli.Actors.Transcripts;
using Muesli.Core.Protocol;
using Muesli.Core.Transcripts;
using Muesli.Core.Windows;
using Xunit;
using Xunit.Abstractions;
using static Muesli.Actors.Transcripts.TranscriptCommands;

namespace Muesli.Actors.Tests;

public sealed class TranscriptAggregatorSpec(ITestOutputHelper output) : MuesliSpec(output)
{
    private const string Meeting = "m1";

    [Fact]
    public async Task Overlapping_windows_commit_each_word_once_and_a_reconnecting_subscriber_gets_the_transcript_so_far()
    {
        var aggregator = Open(labelByStream: false);
        var subscriber = Subscribe(aggregator, replay: false);

        // Window 1 hears words 0–14 (a word a second); everything ending after 10 s stays partial.
        Apply(aggregator, 0, 15, cutoff: 10, Words(0, 15, jitter: 0));
        var first = Drain(subscriber);
        Assert.Equal(Enumerable.Range(0, 10).Select(Name), SegmentWords(first));
        Assert.Equal("w13 w14", Partial(first)?.Text.Split(' ').TakeLast(2).Aggregate((a, b) => $"{a} {b}"));

        // Window 2 re-hears the overlap with shifted times: only words after the committed ones are new.
        Apply(aggregator, 0, 40, cutoff: 35, Words(0, 40, jitter: 0.04));
        Assert.Equal(Enumerable.Range(10, 25).Select(Name), SegmentWords(Drain(subscriber)));

        var speakers = first.OfType<MuesliEvents.Speakers>().Single();
        Assert.Equal(["system:SPEAKER_00"], speakers.Known.Select(k => k.SpeakerId));

        await Sys.Terminate();
        var restarted = Restarted("restarted");
        try
        {
            var probe = new TestProbe(restarted, new Akka.TestKit.Xunit2.XunitAssertions());
            var again = restarted.ActorOf(TranscriptAggregator.Props(Meeting, new MeetingOptions(), ActorRefs.Nobody));
            again.Tell(new OpenMeeting(Meeting, [StreamKind.System], [StreamKind.System], false), probe.Ref);
            Assert.True(probe.ExpectMsg<MeetingReady>().Resumed);
            again.Tell(new Subscribe(Meeting, probe.Ref, Replay: true), probe.Ref);
            var replayed = Collect<Subscribed>(probe);
            Assert.Equal(Enumerable.Range(0, 35).Select(Name), SegmentWords(replayed));
        }
        finally
        {
            await restarted.Terminate();
        }
    }

    [Fact]
    public void A_resent_window_whose_acknowledgement_was_lost_is_acknowledged_again_and_applied_once()
    {
        var aggregator = Open(labelByStream: false);
        var subscriber = Subscribe(aggregator, replay: false);
        var window = new Window(0, 15 * 32000, 0, false);
        var apply = new ApplyWindow(Meeting, StreamKind.System, 7, window, 15, 10, Result(0, 15, Words(0, 15, jitter: 0)));

        aggregator.Tell(apply, TestActor);
        Assert.Equal(10, ExpectMsg<WindowApplied>().Segments > 0 ? SegmentWords(Drain(subscriber)).Count() : 0);
        aggregator.Tell(apply, TestActor);
        Assert.Equal(7, ExpectMsg<WindowApplied>().Seq);
        subscriber.ExpectNoMsg(TimeSpan.FromMilliseconds(300));
    }

    [Fact]
    public void The_final_pass_commits_the_tail_and_the_last_stream_done_publishes_the_result()
    {
        var aggregator = Open(labelByStream: true);
        var subscriber = Subscribe(aggregator, replay: false);
        Apply(aggregator, 0, 20, cutoff: 15, Words(0, 20, jitter: 0));
        Drain(subscriber);

        aggregator.Tell(new ApplyFinal(Meeting, StreamKind.System, Labelled(Words(0, 22, jitter: 0.02)), 22), TestActor);
        ExpectMsg<FinalApplied>();
        var tail = Drain(subscriber);
        Assert.Equal(Enumerable.Range(15, 7).Select(Name), SegmentWords(tail));
        Assert.All(tail.OfType<MuesliEvents.Segment>(), s => Assert.Equal("System", s.SpeakerId));
        Assert.Contains(tail, e => e is MuesliEvents.LiveProcessDone { Finalize: true });

        aggregator.Tell(new StreamDone(Meeting, StreamKind.System, 22 * 32000), TestActor);
        ExpectMsg<StreamDoneAck>();
        var finalized = Collect<MeetingFinalized>(subscriber);
        Assert.Equal(new MuesliEvents.Stage("complete"), finalized[0]);
        var result = Assert.IsType<MuesliEvents.Result>(finalized[1]);
        Assert.Equal(string.Join(' ', Enumerable.Range(0, 22).Select(Name)), string.Join(' ', result.Turns.Select(t => t.Text)));
        Assert.Equal(22, result.Duration);
        Assert.All(result.Turns, t => Assert.Null(t.Words));
    }

    [Fact]
    public async Task A_meeting_that_asked_for_words_gets_them_in_its_result_also_after_a_restart()
    {
        var options = new MeetingOptions { EmitWords = true };
        var aggregator = Open(labelByStream: true, options);
        var subscriber = Subscribe(aggregator, replay: false);
        aggregator.Tell(new ApplyFinal(Meeting, StreamKind.System, Labelled(Words(0, 6, jitter: 0)), 6), TestActor);
        ExpectMsg<FinalApplied>();
        aggregator.Tell(new StreamDone(Meeting, StreamKind.System, 6 * 32000), TestActor);
        ExpectMsg<StreamDoneAck>();
        var result = Collect<MeetingFinalized>(subscriber).OfType<MuesliEvents.Result>().Single();
        var words = result.Turns.SelectMany(t => t.Words!).ToArray();
        Assert.Equal(Enumerable.Range(0, 6).Select(Name), words.Select(w => w.Text));
        Assert.Equal(new MuesliEvents.TimedWord("w0", 0.2, 0.5), words[0]);
        Assert.All(words, w => Assert.Null(w.Confidence));

        await Sys.Terminate();
        var restarted = Restarted("restarted-words");
        try
        {
            var probe = new TestProbe(restarted, new Akka.TestKit.Xunit2.XunitAssertions());
            var again = restarted.ActorOf(TranscriptAggregator.Props(Meeting, options, ActorRefs.Nobody));
            again.Tell(new OpenMeeting(Meeting, [StreamKind.System], [StreamKind.System], true), probe.Ref);
            Assert.True(probe.ExpectMsg<MeetingReady>().Resumed);
            again.Tell(new Subscribe(Meeting, probe.Ref, Replay: true), probe.Ref);
            var replayed = Collect<Subscribed>(probe).OfType<MuesliEvents.Result>().Single();
            Assert.Equal(result.ToJson(), replayed.ToJson());
        }
        finally
        {
            await restarted.Terminate();
        }
    }

    [Fact]
    public void A_newer_exclusive_connection_supersedes_the_older_one()
    {
        var aggregator = Open(labelByStream: false);
        var older = Subscribe(aggregator, replay: false);
        var newer = CreateTestProbe();
        aggregator.Tell(new Subscribe(Meeting, newer.Ref, Replay: true, Exclusive: true), TestActor);
        ExpectMsg<Subscribed>();
        older.ExpectMsg<Superseded>();

        aggregator.Tell(new Publish(Meeting, new MuesliEvents.Error("only for the newer one")));
        Assert.Equal("only for the newer one", ((MuesliEvents.Error)newer.ExpectMsg<EventPublished>().Event).Message);
        older.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public void An_older_connection_whose_subscription_arrives_late_is_the_one_superseded()
    {
        var aggregator = Open(labelByStream: false);
        var newer = CreateTestProbe();
        var older = CreateTestProbe();
        aggregator.Tell(new Subscribe(Meeting, newer.Ref, Replay: true, Exclusive: true, Claim: 200), TestActor);
        ExpectMsg<Subscribed>();
        aggregator.Tell(new Subscribe(Meeting, older.Ref, Replay: true, Exclusive: true, Claim: 100), TestActor);
        ExpectMsg<Subscribed>();
        older.ExpectMsg<Superseded>();
        newer.ExpectNoMsg(TimeSpan.FromMilliseconds(200));

        aggregator.Tell(new Publish(Meeting, new MuesliEvents.Error("still the newer one's")));
        newer.ExpectMsg<EventPublished>();
        older.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public void A_meeting_whose_client_never_comes_back_is_stopped_after_abandon_after()
    {
        var streams = CreateTestProbe();
        var options = new MeetingOptions { AbandonAfter = TimeSpan.FromMilliseconds(300) };
        var aggregator = Sys.ActorOf(TranscriptAggregator.Props(Meeting, options, streams.Ref));
        aggregator.Tell(new OpenMeeting(Meeting, [StreamKind.System, StreamKind.Mic], [StreamKind.System], false), TestActor);
        ExpectMsg<MeetingReady>();
        var client = Subscribe(aggregator, replay: false);

        // While a client is connected nothing happens; a reconnect within the grace period cancels the timer.
        streams.ExpectNoMsg(TimeSpan.FromMilliseconds(500));
        Sys.Stop(client.Ref);
        Thread.Sleep(100);
        var back = Subscribe(aggregator, replay: true);
        streams.ExpectNoMsg(TimeSpan.FromMilliseconds(500));

        Sys.Stop(back.Ref);
        var stops = new[] { streams.ExpectMsg<Streams.StreamCommands.StopStream>(), streams.ExpectMsg<Streams.StreamCommands.StopStream>() };
        Assert.Equal(["m1/mic", "m1/system"], stops.Select(s => s.StreamId).Order());
    }

    private IActorRef Open(bool labelByStream, MeetingOptions? options = null)
    {
        var aggregator = Sys.ActorOf(TranscriptAggregator.Props(Meeting, options ?? new MeetingOptions(), ActorRefs.Nobody));
        aggregator.Tell(new OpenMeeting(Meeting, [StreamKind.System], [StreamKind.System], labelByStream), TestActor);
        Assert.False(ExpectMsg<MeetingReady>().Resumed);
        return aggregator;
    }

    private TestProbe Subscribe(IActorRef aggregator, bool replay)
    {
        var subscriber = CreateTestProbe();
        aggregator.Tell(new Subscribe(Meeting, subscriber.Ref, replay), TestActor);
        ExpectMsg<Subscribed>();
        return subscriber;
    }

    private long _seq;

    /// <summary>Applies the stream's next window (each has the next sequence number, as a stream's do).</summary>
    private void Apply(IActorRef aggregator, double start, double end, double cutoff, Word[] words)
    {
        var window = new Window((long)(start * 32000), (long)(end * 32000), start, false);
        aggregator.Tell(new ApplyWindow(Meeting, StreamKind.System, ++_seq, window, end, cutoff, Result(start, end - start, words)), TestActor);
        ExpectMsg<WindowApplied>();
    }

    private static List<MuesliEvent> Drain(TestProbe subscriber)
    {
        var events = new List<MuesliEvent>();
        subscriber.FishForMessage<EventPublished>(m =>
        {
            events.Add(((EventPublished)m).Event);
            return ((EventPublished)m).Event is MuesliEvents.LiveProcessDone;
        });
        return events;
    }

    /// <summary>The events a probe receives up to and including a message of type <typeparamref name="TEnd"/>.</summary>
    private static List<MuesliEvent> Collect<TEnd>(TestProbe probe)
    {
        var events = new List<MuesliEvent>();
        while (true)
        {
            var message = probe.ReceiveOne(TimeSpan.FromSeconds(5)) ?? throw new TimeoutException($"no {typeof(TEnd).Name}");
            if (message is EventPublished e)
            {
                events.Add(e.Event);
            }
            else if (message is TEnd)
            {
                return events;
            }
        }
    }

    private static IEnumerable<string> SegmentWords(IEnumerable<MuesliEvent> events)
        => events.OfType<MuesliEvents.Segment>().SelectMany(s => s.Text.Split(' '));

    private static MuesliEvents.Partial? Partial(IEnumerable<MuesliEvent> events) => events.OfType<MuesliEvents.Partial>().LastOrDefault();

    private static string Name(int i) => $"w{i}";

    /// <summary>Word i spans [i + 0.2, i + 0.5] s, moved by up to ±jitter, as another window would time it.</summary>
    private static Word[] Words(int from, int to, double jitter)
        => Enumerable.Range(from, to - from).Select(i => new Word(Name(i), i + 0.2 + ((i % 2 == 0 ? 1 : -1) * jitter), i + 0.5 + jitter)).ToArray();

    private static LabelledWord[] Labelled(Word[] words) => words.Select(w => new LabelledWord(w, "SPEAKER_00")).ToArray();
}
