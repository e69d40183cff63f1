using Muesli.TestWorld;
using Xunit;

namespace Muesli.Inference.Tests.ToneWorld;

public sealed class ScoringTests
{
    [Theory]
    [InlineData("alpha bravo charlie delta", "alpha bravo charlie delta", 0.0)]
    [InlineData("alpha bravo charlie delta", "alpha bravo echo delta", 0.25)]
    [InlineData("alpha bravo charlie delta", "alpha charlie delta", 0.25)]
    [InlineData("alpha bravo charlie delta", "alpha bravo bravo charlie delta", 0.25)]
    [InlineData("alpha bravo", "charlie delta echo", 1.5)]
    [InlineData("Alpha, bravo! Charlie?", "alpha bravo charlie", 0.0)]
    [InlineData("alpha bravo", "", 1.0)]
    [InlineData("", "", 0.0)]
    [InlineData("", "alpha", 1.0)]
    public void Word_error_rate_is_word_edits_over_reference_words(string reference, string hypothesis, double expected)
    {
        Assert.Equal(expected, Scoring.WordErrorRate(reference, hypothesis), 9);
    }

    [Fact]
    public void Word_error_rate_agrees_with_a_naive_edit_distance_on_random_sentences()
    {
        var random = new Random(7);
        for (var trial = 0; trial < 300; trial++)
        {
            var reference = RandomWords(random, random.Next(1, 7));
            var hypothesis = RandomWords(random, random.Next(0, 7));

            var expected = (double)NaiveDistance(reference, hypothesis) / reference.Length;

            Assert.Equal(expected, Scoring.WordErrorRate(string.Join(' ', reference), string.Join(' ', hypothesis)), 9);
        }
    }

    [Fact]
    public void A_perfect_diarization_scores_zero_even_with_other_labels()
    {
        var reference = new[] { Turn("A", 0, 10), Turn("B", 10, 20), Turn("A", 20, 25) };
        var hypothesis = new[] { Turn("spk7", 0, 10), Turn("spk2", 10, 20), Turn("spk7", 20, 25) };

        var der = Scoring.DiarizationErrorRate(reference, hypothesis);

        Assert.Equal(0, der.Total, 9);
        Assert.Equal(25, der.ReferenceSeconds, 6);
    }

    [Fact]
    public void Missed_false_alarm_and_confusion_are_counted_against_reference_speech()
    {
        // Reference: A 0–10, B 10–20. Hypothesis: X 0–8 (A, 2 s missed), Y 10–15 (B), X 15–20 (B heard as A's
        // label: 5 s confused), Y 22–24 (2 s false alarm over silence).
        var reference = new[] { Turn("A", 0, 10), Turn("B", 10, 20) };
        var hypothesis = new[] { Turn("X", 0, 8), Turn("Y", 10, 15), Turn("X", 15, 20), Turn("Y", 22, 24) };

        var der = Scoring.DiarizationErrorRate(reference, hypothesis);

        Assert.Equal(20, der.ReferenceSeconds, 6);
        Assert.Equal(2.0 / 20, der.Missed, 6);
        Assert.Equal(2.0 / 20, der.FalseAlarm, 6);
        Assert.Equal(5.0 / 20, der.Confusion, 6);
        Assert.Equal(9.0 / 20, der.Total, 6);
    }

    [Fact]
    public void Overlapping_speech_counts_once_per_speaker()
    {
        // A 0–10 and B 5–10 overlap: 15 s of reference speech; a hypothesis with only A misses B's 5 s.
        var reference = new[] { Turn("A", 0, 10), Turn("B", 5, 10) };
        var hypothesis = new[] { Turn("X", 0, 10) };

        var der = Scoring.DiarizationErrorRate(reference, hypothesis);

        Assert.Equal(15, der.ReferenceSeconds, 6);
        Assert.Equal(5.0 / 15, der.Missed, 6);
        Assert.Equal(0, der.Confusion, 6);
        Assert.Equal(5.0 / 15, der.Total, 6);
    }

    [Fact]
    public void A_hypothesis_with_two_labels_for_one_speaker_maps_only_one_of_them()
    {
        var reference = new[] { Turn("A", 0, 10) };
        var hypothesis = new[] { Turn("X", 0, 6), Turn("Y", 6, 10) };

        var der = Scoring.DiarizationErrorRate(reference, hypothesis);

        Assert.Equal(4.0 / 10, der.Confusion, 6);
        Assert.Equal(4.0 / 10, der.Total, 6);
    }

    [Fact]
    public void The_collar_leaves_reference_boundaries_unscored()
    {
        // The hypothesis is 0.2 s late at each boundary of A 1–5; a 0.25 s collar forgives it.
        var reference = new[] { Turn("A", 1, 5) };
        var hypothesis = new[] { Turn("X", 1.2, 5.2) };

        Assert.Equal(0.4 / 4, Scoring.DiarizationErrorRate(reference, hypothesis).Total, 6);
        var forgiven = Scoring.DiarizationErrorRate(reference, hypothesis, collar: 0.25);
        Assert.Equal(0, forgiven.Total, 6);
        Assert.Equal(3.5, forgiven.ReferenceSeconds, 6);
    }

    [Fact]
    public void With_no_reference_speech_anything_heard_is_all_false_alarm()
    {
        Assert.Equal(0, Scoring.DiarizationErrorRate([], []).Total);
        var der = Scoring.DiarizationErrorRate([], [Turn("X", 0, 1)]);
        Assert.Equal(1, der.Total);
        Assert.Equal(1, der.FalseAlarm);
    }

    [Fact]
    public void The_hungarian_matching_finds_the_best_pairing_found_by_trying_them_all()
    {
        var random = new Random(3);
        for (var trial = 0; trial < 200; trial++)
        {
            var rows = random.Next(1, 6);
            var columns = random.Next(1, 6);
            var weights = new double[rows, columns];
            for (var r = 0; r < rows; r++)
            {
                for (var c = 0; c < columns; c++)
                {
                    weights[r, c] = random.Next(0, 100);
                }
            }

            var matching = Hungarian.MaximumWeightMatching(weights);

            var used = matching.Where(c => c >= 0).ToArray();
            Assert.Equal(used.Length, used.Distinct().Count());
            Assert.Equal(Math.Min(rows, columns), used.Length);
            var total = matching.Select((c, r) => c >= 0 ? weights[r, c] : 0).Sum();
            Assert.Equal(BestByEnumeration(weights, 0, new bool[columns]), total);
        }
    }

    private static TruthTurn Turn(string speaker, double t0, double t1) => new(speaker, "all", t0, t1);

    private static string[] RandomWords(Random random, int count)
        => Enumerable.Range(0, count).Select(_ => ToneLanguage.Words[random.Next(4)]).ToArray();

    private static int NaiveDistance(string[] a, string[] b)
    {
        if (a.Length == 0)
        {
            return b.Length;
        }

        if (b.Length == 0)
        {
            return a.Length;
        }

        var substitute = NaiveDistance(a[1..], b[1..]) + (a[0] == b[0] ? 0 : 1);
        return Math.Min(substitute, Math.Min(NaiveDistance(a[1..], b), NaiveDistance(a, b[1..])) + 1);
    }

    private static double BestByEnumeration(double[,] weights, int row, bool[] taken)
    {
        if (row == weights.GetLength(0))
        {
            return 0;
        }

        var best = BestByEnumeration(weights, row + 1, taken);
        for (var c = 0; c < taken.Length; c++)
        {
            if (!taken[c])
            {
                taken[c] = true;
                best = Math.Max(best, weights[row, c] + BestByEnumeration(weights, row + 1, taken));
                taken[c] = false;
            }
        }

        return best;
    }
}
