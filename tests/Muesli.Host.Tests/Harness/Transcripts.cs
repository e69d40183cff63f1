using System.Text.Json;
using Muesli.TestWorld;

namespace Muesli.Host.Tests;

/// <summary>A word as the backend reported it in a segment event (with <c>--emit-words</c>).</summary>
public sealed record HeardWord(string Stream, string Text, double T0, double T1)
{
    public double Mid => (T0 + T1) / 2;
}

/// <summary>How a transcript compares with the truth, word by word.</summary>
public sealed record WordAlignment(int Matched, int Missed, int Inserted, int Duplicated, double WorstOffset, IReadOnlyList<string> Problems);

/// <summary>Reading the backend's events and scoring them against the tone world's truth.</summary>
public static class Transcripts
{
    public static IReadOnlyList<JsonElement> OfType(this IEnumerable<JsonElement> events, string type)
        => events.Where(e => e.GetProperty("type").GetString() == type).ToArray();

    public static IReadOnlyList<JsonElement> Status(this IEnumerable<JsonElement> events, string message)
        => events.Where(e => e.GetProperty("type").GetString() == "status"
                             && e.TryGetProperty("message", out var m) && m.GetString() == message).ToArray();

    public static IReadOnlyList<HeardWord> Words(IEnumerable<JsonElement> segments)
        => segments.SelectMany(s => s.GetProperty("words").EnumerateArray().Select(w => new HeardWord(
                s.GetProperty("stream").GetString()!,
                w.GetProperty("text").GetString()!,
                w.GetProperty("t0").GetDouble(),
                w.GetProperty("t1").GetDouble())))
            .ToArray();

    /// <summary>The text of turns (segments or result turns) in meeting-clock order.</summary>
    public static string Text(IEnumerable<JsonElement> turns)
        => string.Join(' ', turns.OrderBy(t => t.GetProperty("t0").GetDouble()).Select(t => t.GetProperty("text").GetString()));

    public static string Reference(IEnumerable<TruthWord> truth) => string.Join(' ', truth.OrderBy(w => w.T0).Select(w => w.Text));

    /// <summary>
    /// Pairs each heard word with the true word of the same stream and text nearest in time (within 0.25 s). A heard
    /// word whose true word was already taken is a duplicate; one with no true word near is an insertion.
    /// </summary>
    public static WordAlignment Align(IReadOnlyList<TruthWord> truth, IReadOnlyList<HeardWord> heard, double tolerance)
    {
        var taken = new HashSet<TruthWord>();
        var problems = new List<string>();
        int inserted = 0, duplicated = 0;
        double worst = 0;
        foreach (var word in heard)
        {
            var nearest = truth
                .Where(t => t.Stream == word.Stream && t.Text == word.Text && Math.Abs(((t.T0 + t.T1) / 2) - word.Mid) < 0.25)
                .MinBy(t => Math.Abs(((t.T0 + t.T1) / 2) - word.Mid));
            if (nearest is null)
            {
                inserted++;
                problems.Add($"inserted {word}");
                continue;
            }

            if (!taken.Add(nearest))
            {
                duplicated++;
                problems.Add($"duplicated {word} (true {nearest})");
                continue;
            }

            var offset = Math.Max(Math.Abs(nearest.T0 - word.T0), Math.Abs(nearest.T1 - word.T1));
            worst = Math.Max(worst, offset);
            if (offset > tolerance)
            {
                problems.Add($"{word} is {offset:F3} s off {nearest}");
            }
        }

        var missed = truth.Where(t => !taken.Contains(t)).ToArray();
        problems.AddRange(missed.Take(20).Select(m => $"missed {m}"));
        return new WordAlignment(taken.Count, missed.Length, inserted, duplicated, worst, problems);
    }
}
