using System.Diagnostics;

namespace Muesli.Inference.Tests;

public class StageClockTests
{
    // Other tests time the real stages at the same time: each test here has stages of its own.
    private static string Stage(string name) => $"{name}-{Guid.NewGuid():N}";

    private static void Wait(TimeSpan span)
    {
        var until = Stopwatch.GetTimestamp() + (long)(span.TotalSeconds * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < until)
        {
            Thread.Yield();
        }
    }

    [Fact]
    public void Concurrent_scopes_add_up_to_every_thread_s_time_and_no_more()
    {
        var stage = Stage("concurrent");
        const int Threads = 8;
        const int Scopes = 200;
        var each = TimeSpan.FromTicks(TimeSpan.TicksPerMillisecond / 10);
        var walls = new TimeSpan[Threads];
        using var start = new Barrier(Threads);
        var threads = Enumerable.Range(0, Threads).Select(t => new Thread(() =>
        {
            start.SignalAndWait();
            var wall = Stopwatch.StartNew();
            for (var i = 0; i < Scopes; i++)
            {
                using var timing = StageClock.Time(stage);
                Wait(each);
            }

            walls[t] = wall.Elapsed;
        })).ToArray();
        foreach (var thread in threads)
        {
            thread.Start();
        }

        foreach (var thread in threads)
        {
            thread.Join();
        }

        // A lost add would lose at least one scope's time; the scopes cannot take longer than their threads ran.
        var total = StageClock.Total(stage);
        Assert.InRange(total, each * Threads * Scopes, walls.Aggregate(TimeSpan.Zero, (a, b) => a + b));
        Assert.Equal(total, StageClock.Totals()[stage]);
    }

    [Fact]
    public void A_nested_scope_s_time_counts_once_for_its_own_stage()
    {
        var outer = Stage("outer");
        var inner = Stage("inner");
        var wall = Stopwatch.StartNew();
        using (StageClock.Time(outer))
        {
            Wait(TimeSpan.FromMilliseconds(20));
            using (StageClock.Time(inner))
            {
                Wait(TimeSpan.FromMilliseconds(30));
            }
        }

        var elapsed = wall.Elapsed;
        Assert.InRange(StageClock.Total(inner), TimeSpan.FromMilliseconds(30), elapsed - TimeSpan.FromMilliseconds(20));
        Assert.InRange(StageClock.Total(outer), TimeSpan.FromMilliseconds(20), elapsed - TimeSpan.FromMilliseconds(30));
        Assert.InRange(StageClock.Total(outer) + StageClock.Total(inner), TimeSpan.FromMilliseconds(50), elapsed);

        // After the nesting, the thread's scopes start afresh: a later scope gets all its own time.
        using (StageClock.Time(outer))
        {
            Wait(TimeSpan.FromMilliseconds(10));
        }

        Assert.True(StageClock.Total(outer) >= TimeSpan.FromMilliseconds(30));
    }

    [Fact]
    public void Reset_zeroes_the_totals_and_an_unstarted_scope_adds_nothing()
    {
        var stage = Stage("reset");
        using (StageClock.Time(stage))
        {
            Wait(TimeSpan.FromMilliseconds(1));
        }

        Assert.True(StageClock.Total(stage) > TimeSpan.Zero);
        StageClock.Reset();
        Assert.Equal(TimeSpan.Zero, StageClock.Total(stage));
        default(StageClock.Scope).Dispose();
        Assert.Equal(TimeSpan.Zero, StageClock.Total(Stage("never")));
    }
}
