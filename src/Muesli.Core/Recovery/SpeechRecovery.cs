using Muesli.Core.Protocol;

namespace Muesli.Core.Recovery;

/// <summary>The numbers of the recovery pass (<see cref="SpeechRecovery"/>).</summary>
public sealed record RecoveryOptions
{
    public static readonly RecoveryOptions Default = new();

    /// <summary>Uncovered speech shorter than this is left alone (a breath, a click).</summary>
    public double MinSpeechSeconds { get; init; } = 1.0;

    /// <summary>A turn covers the speech up to this far beyond its ends.</summary>
    public double CoverToleranceSeconds { get; init; } = 0.25;

    /// <summary>Audio added on each side of a missed span, so its first and last words are whole.</summary>
    public double PadSeconds { get; init; } = 0.5;

    /// <summary>The longest recovery window; a longer stretch is split into equal windows.</summary>
    public double MaxWindowSeconds { get; init; } = 30;
}

/// <summary>A stretch of a stream's audio, in seconds from its start, to transcribe again.</summary>
public readonly record struct RecoveryWindow(double Start, double End)
{
    public double Duration => End - Start;
}

/// <summary>
/// The recovery pass of batch re-diarization, apart from any audio: which speech the transcript missed (<see cref="Windows"/>), and
/// how the turns found there join it (<see cref="MergeIn"/>).
/// </summary>
public static class SpeechRecovery
{
    /// <summary>
    /// The spans of <paramref name="speech"/> at least <see cref="RecoveryOptions.MinSpeechSeconds"/> long that no turn
    /// covers (each turn widened by <see cref="RecoveryOptions.CoverToleranceSeconds"/>), padded, kept inside
    /// [0, <paramref name="duration"/>], merged where they touch, and split to at most
    /// <see cref="RecoveryOptions.MaxWindowSeconds"/>; in time order.
    /// </summary>
    /// <param name="speech">The voice detector's speech regions, (start, end) in seconds on the stream's clock.</param>
    public static IReadOnlyList<RecoveryWindow> Windows(
        IEnumerable<(double Start, double End)> speech, IReadOnlyList<MuesliEvents.ResultTurn> turns, double duration, RecoveryOptions options)
    {
        var covered = Union(turns.Select(t => (t.T0 - options.CoverToleranceSeconds, t.T1 + options.CoverToleranceSeconds)));
        var missed = new List<(double Start, double End)>();
        foreach (var region in speech.OrderBy(r => r.Start))
        {
            foreach (var piece in Subtract(region, covered))
            {
                if (piece.End - piece.Start >= options.MinSpeechSeconds)
                {
                    missed.Add(piece);
                }
            }
        }

        var padded = Union(missed.Select(m => (Math.Max(0, m.Start - options.PadSeconds), Math.Min(duration, m.End + options.PadSeconds))));
        var windows = new List<RecoveryWindow>();
        foreach (var (start, end) in padded)
        {
            var parts = Math.Max(1, (int)Math.Ceiling(((end - start) / options.MaxWindowSeconds) - 1e-9));
            var step = (end - start) / parts;
            for (var i = 0; i < parts; i++)
            {
                windows.Add(new RecoveryWindow(start + (i * step), i == parts - 1 ? end : start + ((i + 1) * step)));
            }
        }

        return windows;
    }

    /// <summary>
    /// <paramref name="turns"/> with the <paramref name="recovered"/> ones (already on the stream's clock) added, sorted by
    /// (t0, stream, speaker id). A recovered turn whose middle lies inside a turn of its stream repeats that turn and is
    /// dropped; every other one takes the speaker of the same stream's turn it overlaps most, or else the nearest one in
    /// time (the earlier on a tie), or keeps its own when the stream has no turn.
    /// </summary>
    public static IReadOnlyList<MuesliEvents.ResultTurn> MergeIn(
        IReadOnlyList<MuesliEvents.ResultTurn> turns, IReadOnlyList<MuesliEvents.ResultTurn> recovered)
    {
        var merged = new List<MuesliEvents.ResultTurn>(turns);
        foreach (var turn in recovered)
        {
            var sameStream = turns.Where(t => t.Stream == turn.Stream).ToArray();
            var middle = (turn.T0 + turn.T1) / 2;
            if (sameStream.Any(t => t.T0 <= middle && middle <= t.T1))
            {
                continue;
            }

            var speaker = sameStream
                .OrderByDescending(t => Math.Max(0, Math.Min(t.T1, turn.T1) - Math.Max(t.T0, turn.T0)))
                .ThenBy(t => Distance(t, turn))
                .ThenBy(t => t.T0)
                .FirstOrDefault()?.SpeakerId ?? turn.SpeakerId;
            merged.Add(turn with { SpeakerId = speaker });
        }

        return Sorted(merged);
    }

    /// <summary>Turns in the result's order: by start, then stream, then speaker id.</summary>
    public static IReadOnlyList<MuesliEvents.ResultTurn> Sorted(IEnumerable<MuesliEvents.ResultTurn> turns)
        => turns
            .OrderBy(t => t.T0)
            .ThenBy(t => t.Stream, StringComparer.Ordinal)
            .ThenBy(t => t.SpeakerId, StringComparer.Ordinal)
            .ToArray();

    private static double Distance(MuesliEvents.ResultTurn a, MuesliEvents.ResultTurn b)
        => Math.Max(0, Math.Max(a.T0 - b.T1, b.T0 - a.T1));

    private static List<(double Start, double End)> Union(IEnumerable<(double Start, double End)> spans)
    {
        var union = new List<(double Start, double End)>();
        foreach (var (start, end) in spans.Where(s => s.End > s.Start).OrderBy(s => s.Start))
        {
            if (union.Count > 0 && start <= union[^1].End)
            {
                union[^1] = (union[^1].Start, Math.Max(union[^1].End, end));
            }
            else
            {
                union.Add((start, end));
            }
        }

        return union;
    }

    private static IEnumerable<(double Start, double End)> Subtract((double Start, double End) span, List<(double Start, double End)> covered)
    {
        var at = span.Start;
        foreach (var (start, end) in covered)
        {
            if (end <= at)
            {
                continue;
            }

            if (start >= span.End)
            {
                break;
            }

            if (start > at)
            {
                yield return (at, start);
            }

            at = Math.Max(at, end);
        }

        if (at < span.End)
        {
            yield return (at, span.End);
        }
    }
}
