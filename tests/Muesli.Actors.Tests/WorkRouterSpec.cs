using Akka.Actor;
using Akka.TestKit;
using Muesli.Actors.Inference;
using Muesli.Core.Windows;
using Xunit;
using Xunit.Abstractions;
using static Muesli.Actors.Inference.WorkerMessages;

namespace Muesli.Actors.Tests;

public sealed class WorkRouterSpec(ITestOutputHelper output) : MuesliSpec(output)
{
    [Fact]
    public void A_worker_runs_one_chunk_at_a_time_and_live_chunks_go_before_finalize_work()
    {
        var router = Sys.ActorOf(WorkRouter.Props(3, TimeSpan.FromMilliseconds(50)));
        var worker = CreateTestProbe();
        var requester = CreateTestProbe();
        worker.Send(router, new RegisterWorker("cpu", "CPU"));

        var first = Request("a", WorkPriority.Finalize, requester);
        router.Tell(first);
        Assert.Equal("a", worker.ExpectMsg<Run>().Request.StreamId);
        router.Tell(Request("b", WorkPriority.Finalize, requester));
        router.Tell(Request("c", WorkPriority.Live, requester));
        worker.ExpectNoMsg(TimeSpan.FromMilliseconds(300));

        worker.Send(router, new RunSucceeded(first, MuesliSpec.Result(0, 1), TimeSpan.Zero));
        Assert.Equal("a", requester.ExpectMsg<ChunkResult>().StreamId);
        Assert.Equal("c", worker.ExpectMsg<Run>().Request.StreamId);
    }

    [Fact]
    public void A_failed_run_is_reported_and_queued_again_with_backoff_until_the_attempts_run_out()
    {
        var router = Sys.ActorOf(WorkRouter.Props(3, TimeSpan.FromMilliseconds(50)));
        var worker = CreateTestProbe();
        var requester = CreateTestProbe();
        worker.Send(router, new RegisterWorker("cpu", "CPU"));
        router.Tell(Request("a", WorkPriority.Live, requester));

        for (var attempt = 1; attempt <= 3; attempt++)
        {
            var run = worker.ExpectMsg<Run>();
            Assert.Equal(attempt, run.Request.Attempt);
            worker.Send(router, new RunFailed(run.Request, "model exploded"));
            var failed = requester.ExpectMsg<ChunkFailed>();
            Assert.Equal(attempt, failed.Attempt);
            Assert.Equal(attempt < 3, failed.WillRetry);
            Assert.Equal("model exploded", failed.Error);
        }

        worker.ExpectNoMsg(TimeSpan.FromMilliseconds(500));
    }

    [Fact]
    public async Task The_chunk_of_a_worker_that_died_goes_to_another_worker()
    {
        var router = Sys.ActorOf(WorkRouter.Props(3, TimeSpan.FromMilliseconds(50)));
        var doomed = CreateTestProbe();
        var requester = CreateTestProbe();
        doomed.Send(router, new RegisterWorker("gpu0", "CUDA:0"));
        router.Tell(Request("a", WorkPriority.Live, requester));
        doomed.ExpectMsg<Run>();

        var survivor = CreateTestProbe();
        survivor.Send(router, new RegisterWorker("gpu1", "CUDA:1"));
        Sys.Stop(doomed.Ref);
        var run = survivor.ExpectMsg<Run>();
        Assert.Equal("a", run.Request.StreamId);
        survivor.Send(router, new RunSucceeded(run.Request, MuesliSpec.Result(0, 1), TimeSpan.Zero));
        requester.ExpectMsg<ChunkResult>();

        var status = await router.Ask<RouterStatus>(new GetRouterStatus());
        Assert.Equal(["gpu1"], status.Workers.Select(w => w.Slot));
        Assert.Equal(1, status.Workers[0].Runs);
    }

    [Fact]
    public async Task A_drained_worker_gets_no_new_work()
    {
        var router = Sys.ActorOf(WorkRouter.Props(3, TimeSpan.FromMilliseconds(50)));
        var worker = CreateTestProbe();
        worker.Send(router, new RegisterWorker("gpu0", "CUDA:0"));
        await router.Ask<RouterStatus>(new Drain("gpu0"));
        router.Tell(Request("a", WorkPriority.Live, CreateTestProbe()));
        worker.ExpectNoMsg(TimeSpan.FromMilliseconds(300));
        Assert.Equal(1, (await router.Ask<RouterStatus>(new GetRouterStatus())).QueuedLive);
    }

    [Fact]
    public async Task A_resumed_worker_gets_the_work_queued_while_it_was_drained_and_its_chunk_in_flight_finishes_on_drain()
    {
        var router = Sys.ActorOf(WorkRouter.Props(3, TimeSpan.FromMilliseconds(50)));
        var worker = CreateTestProbe();
        var requester = CreateTestProbe();
        worker.Send(router, new RegisterWorker("gpu0", "CUDA:0"));
        router.Tell(Request("a", WorkPriority.Live, requester));
        var running = worker.ExpectMsg<Run>();
        var drained = await router.Ask<RouterStatus>(new Drain(Assert.Single((await router.Ask<RouterStatus>(new GetRouterStatus())).Workers).Id));
        Assert.True(drained.Workers[0].Draining && drained.Workers[0].Busy);
        worker.Send(router, new RunSucceeded(running.Request, MuesliSpec.Result(0, 1), TimeSpan.Zero));
        requester.ExpectMsg<ChunkResult>();

        router.Tell(Request("b", WorkPriority.Live, requester));
        worker.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
        var resumed = await router.Ask<RouterStatus>(new Resume("gpu0"));
        Assert.False(resumed.Workers[0].Draining);
        Assert.Equal("b", worker.ExpectMsg<Run>().Request.StreamId);
        Assert.NotNull(resumed.Workers[0].LastChunkAt);
    }

    [Fact]
    public void Requests_wait_while_the_workers_load_and_go_to_the_first_that_is_ready()
    {
        var router = Sys.ActorOf(WorkRouter.Props(3, TimeSpan.FromMilliseconds(50)));
        var (slow, fast, failing) = (CreateTestProbe(), CreateTestProbe(), CreateTestProbe());
        var session = CreateTestProbe();
        var requester = CreateTestProbe();
        slow.Send(router, new WorkerLoading("gpu0", "CUDA:0"));
        fast.Send(router, new WorkerLoading("gpu1", "CUDA:1"));
        failing.Send(router, new WorkerLoading("gpu2", "CUDA:2"));
        session.Send(router, new WatchPool());
        router.Tell(Request("a", WorkPriority.Live, requester));

        // One worker failing while others still load leaves the pool available: the request waits.
        failing.Send(router, new WorkerFailed("gpu2", "model exploded"));
        fast.Send(router, new RegisterWorker("gpu1", "CUDA:1"));
        Assert.Equal("a", fast.ExpectMsg<Run>().Request.StreamId);
        slow.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
        session.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
        requester.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public void When_every_worker_failed_to_load_watchers_are_told_once_and_every_request_is_refused()
    {
        var router = Sys.ActorOf(WorkRouter.Props(3, TimeSpan.FromMilliseconds(50)));
        var (first, second) = (CreateTestProbe(), CreateTestProbe());
        var session = CreateTestProbe();
        var requester = CreateTestProbe();
        first.Send(router, new WorkerLoading("gpu0", "CUDA:0"));
        second.Send(router, new WorkerLoading("gpu1", "CUDA:1"));
        session.Send(router, new WatchPool());
        router.Tell(Request("queued", WorkPriority.Live, requester));
        router.Tell(Request("queued-final", WorkPriority.Finalize, requester));

        first.Send(router, new WorkerFailed("gpu0", "no such file"));
        requester.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
        second.Send(router, new WorkerFailed("gpu1", "model exploded"));

        Assert.Equal("model exploded", session.ExpectMsg<PoolUnavailable>().Reason);
        var refused = new[] { requester.ExpectMsg<ChunkRefused>(), requester.ExpectMsg<ChunkRefused>() };
        Assert.Equal(["queued", "queued-final"], refused.Select(r => r.StreamId).Order());
        Assert.All(refused, r => Assert.Equal("model exploded", r.Reason));

        router.Tell(Request("new", WorkPriority.Live, requester));
        Assert.Equal("new", requester.ExpectMsg<ChunkRefused>().StreamId);
        var late = CreateTestProbe();
        late.Send(router, new WatchPool());
        Assert.Equal("model exploded", late.ExpectMsg<PoolUnavailable>().Reason);
        session.ExpectNoMsg(TimeSpan.FromMilliseconds(200));

        // A worker that registers later makes the pool available again.
        var third = CreateTestProbe();
        third.Send(router, new RegisterWorker("gpu2", "CUDA:2"));
        router.Tell(Request("after", WorkPriority.Live, requester));
        Assert.Equal("after", third.ExpectMsg<Run>().Request.StreamId);
    }

    [Fact]
    public void Work_goes_to_the_worker_idle_longest_so_every_device_gets_its_share()
    {
        var router = Sys.ActorOf(WorkRouter.Props(3, TimeSpan.FromMilliseconds(50)));
        var (first, second) = (CreateTestProbe(), CreateTestProbe());
        var requester = CreateTestProbe();
        first.Send(router, new RegisterWorker("gpu0", "CUDA:0"));
        second.Send(router, new RegisterWorker("gpu1", "CUDA:1"));

        // One chunk at a time, each done before the next arrives: both workers are idle every time.
        var ran = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            router.Tell(Request($"s{i}", WorkPriority.Live, requester));
            var worker = ran.Count % 2 == 0 ? first : second;
            var run = worker.ExpectMsg<Run>();
            ran.Add(run.Request.StreamId);
            worker.Send(router, new RunSucceeded(run.Request, MuesliSpec.Result(0, 1), TimeSpan.Zero));
            requester.ExpectMsg<ChunkResult>();
        }

        Assert.Equal(["s0", "s1", "s2", "s3"], ran);
    }

    [Fact]
    public void A_resent_request_is_held_once_and_a_restarted_requester_takes_over_its_queued_copy()
    {
        var router = Sys.ActorOf(WorkRouter.Props(3, TimeSpan.FromMilliseconds(50)));
        var worker = CreateTestProbe();
        var (requester, restarted) = (CreateTestProbe(), CreateTestProbe());
        worker.Send(router, new RegisterWorker("cpu", "CPU"));

        var running = Request("a", WorkPriority.Live, requester);
        router.Tell(running);
        worker.ExpectMsg<Run>();
        router.Tell(running);
        var queued = Request("b", WorkPriority.Live, requester);
        router.Tell(queued);
        router.Tell(queued);
        router.Tell(Request("b", WorkPriority.Live, restarted));

        worker.Send(router, new RunSucceeded(running, MuesliSpec.Result(0, 1), TimeSpan.Zero));
        requester.ExpectMsg<ChunkResult>();
        var next = worker.ExpectMsg<Run>().Request;
        Assert.Equal("b", next.StreamId);
        Assert.Equal(restarted.Ref, next.ReplyTo);
        worker.Send(router, new RunSucceeded(next, MuesliSpec.Result(0, 1), TimeSpan.Zero));
        restarted.ExpectMsg<ChunkResult>();

        // Each request ran once, although it was sent two or three times.
        worker.ExpectNoMsg(TimeSpan.FromMilliseconds(300));
        requester.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public void A_run_whose_audio_never_came_is_dropped_and_a_later_resend_runs_it()
    {
        var router = Sys.ActorOf(WorkRouter.Props(3, TimeSpan.FromMilliseconds(50)));
        var worker = CreateTestProbe();
        var requester = CreateTestProbe();
        worker.Send(router, new RegisterWorker("cpu", "CPU"));
        var request = Request("a", WorkPriority.Live, requester);
        router.Tell(request);
        worker.ExpectMsg<Run>();

        worker.Send(router, new RunAbandoned(request, "no audio"));
        requester.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
        worker.ExpectNoMsg(TimeSpan.FromMilliseconds(100));

        router.Tell(request);
        Assert.Equal("a", worker.ExpectMsg<Run>().Request.StreamId);
    }

    private static ChunkRequest Request(string stream, WorkPriority priority, TestProbe replyTo)
        => new(stream, 1, new Window(0, 32000, 0, priority == WorkPriority.Finalize), priority, replyTo.Ref);
}
