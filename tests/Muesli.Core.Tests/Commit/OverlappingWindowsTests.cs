using Muesli.Core.Commit;
using Muesli.Core.Merge;
using Muesli.Core.Transcripts;

namespace Muesli.Core.Tests.Commit;

/// <summary>
/// A long meeting heard through a sequence of overlapping live windows, each re-hearing 30 s of context with its
/// own small timing errors, and a final window: every word must be committed exactly once, in order.
/// </summary>
public class OverlappingWindowsTests
{
    private const double Context = 30;
    private const double FinalizeLag = 5;
    private const double Jitter = 0.04;
    private static readonly MergeOptions Merge = new();

    /// <summary>The meeting as spoken: words of 0.2–0.6 s with pauses of 0–1.5 s, speakers changing now and then.</summary>
    private static List<LabelledWord> Speech(Random random, double length)
    {
        var words = new List<LabelledWord>();
        var t = random.NextDouble();
        var speaker = "A";
        while (true)
        {
            var duration = 0.2 + (0.4 * random.NextDouble());
            if (t + duration > length)
            {
                return words;
            }

            if (random.Next(15) == 0)
            {
                speaker = speaker == "A" ? "B" : "A";
            }

            words.Add(new LabelledWord(new Word($"w{words.Count}", t, t + duration), speaker));
            t += duration + (random.Next(4) == 0 ? 1.5 * random.NextDouble() : 0.1 * random.NextDouble());
        }
    }

    /// <summary>What one window hears: the words touching [readStart, readEnd], cut at its edges, each timestamp
    /// off by up to ±40 ms but never outside the window's audio.</summary>
    private static List<LabelledWord> Hear(Random random, IReadOnlyList<LabelledWord> speech, double readStart, double readEnd)
    {
        double Jittered(double t) => Math.Clamp(t + (Jitter * ((2 * random.NextDouble()) - 1)), readStart, readEnd);

        return speech
            .Where(w => w.Word.End > readStart && w.Word.Start < readEnd)
            .Select(w =>
            {
                var start = Jittered(Math.Max(w.Word.Start, readStart));
                var end = Jittered(Math.Min(w.Word.End, readEnd));
                return w with { Word = w.Word with { Start = start, End = Math.Max(end, start) } };
            })
            .OrderBy(_ => random.Next())
            .ToList();
    }

    [Theory]
    [InlineData(1, 600.0)]
    [InlineData(2, 1800.0)]
    [InlineData(3, 47.0)]
    [InlineData(4, 12.0)]
    [InlineData(5, 3000.0)]
    public void Every_word_is_committed_exactly_once_and_in_order(int seed, double length)
    {
        var random = new Random(seed);
        var speech = Speech(random, length);
        var state = CommitState.Initial;
        var committed = new List<LabelledWord>();
        var lastProcessed = 0.0;

        // Live windows: audio arrives in bursts of 15–45 s; each window re-reads 30 s of context.
        var snapshot = 15 + (30 * random.NextDouble());
        while (snapshot < length)
        {
            var readStart = Math.Max(0, lastProcessed - Context);
            var outcome = CommitPolicy.Apply(state, Hear(random, speech, readStart, snapshot), snapshot - FinalizeLag, Merge);
            committed.AddRange(outcome.Committed);
            Assert.Equal(outcome.Committed.Select(w => w.Word), outcome.CommittedTurns.SelectMany(t => t.Words));
            state = outcome.State;
            lastProcessed = snapshot;
            snapshot += 15 + (30 * random.NextDouble());
        }

        var finalStart = Math.Max(0, lastProcessed - Context);
        var final = CommitPolicy.Apply(state, Hear(random, speech, finalStart, length), length, Merge);
        committed.AddRange(final.Committed);

        Assert.Empty(final.Pending);
        Assert.Null(final.Partial);
        Assert.Equal(speech.Select(w => w.Word.Text), committed.Select(w => w.Word.Text));
        Assert.Equal(speech.Select(w => w.Speaker), committed.Select(w => w.Speaker));
        Assert.All(
            committed.Zip(speech),
            pair => Assert.InRange(pair.First.Word.Start, pair.Second.Word.Start - Jitter, pair.Second.Word.Start + Jitter));
    }

    [Fact]
    public void Words_straddling_the_cutoff_and_the_window_start_are_committed_once()
    {
        // Window 1 reads [0, 20), cutoff 15: "across" spans the cutoff. Window 2 reads [0, 35): it starts inside
        // no word, but its context re-hears everything window 1 committed, slightly shifted.
        var speech = new[]
        {
            new LabelledWord(new Word("before", 14.2, 14.7), "A"),
            new LabelledWord(new Word("across", 14.8, 15.4), "A"),
            new LabelledWord(new Word("after", 15.5, 16.0), "A"),
        };

        var first = CommitPolicy.Apply(CommitState.Initial, speech, cutoff: 15, Merge);
        var shifted = speech.Select(w => w.Shift(0.03)).ToArray();
        var second = CommitPolicy.Apply(first.State, shifted, cutoff: 30, Merge);

        Assert.Equal(["before"], first.Committed.Select(w => w.Word.Text));
        Assert.Equal("across after", first.Partial!.Text);
        Assert.Equal(["across", "after"], second.Committed.Select(w => w.Word.Text));

        // Window 3 starts at 14.9 s, inside "across": it hears the word cut short, already committed.
        var cut = new LabelledWord(new Word("cross", 14.9, 15.4), "A");
        var third = CommitPolicy.Apply(second.State, [cut, shifted[2]], cutoff: 40, Merge);
        Assert.Empty(third.Committed);
    }
}
