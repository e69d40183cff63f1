using Muesli.Core.Merge;
using Muesli.Core.Protocol;

namespace Muesli.Host.Cli;

/// <summary>
/// One subtitle cue: display words (a word with the punctuation that attaches to it) of one speaker's turn, on screen
/// from <see cref="StartMs"/> to <see cref="EndMs"/>. <see cref="Labelled"/>: the speaker differs from the previous cue's.
/// </summary>
internal sealed record SubtitleCue(string SpeakerId, bool Labelled, long StartMs, long EndMs, IReadOnlyList<string> Words);

/// <summary>
/// The subtitle conventions both SRT and WebVTT follow here:
/// <list type="bullet">
/// <item>a cue shows at most <see cref="MaxLines"/> lines of at most <see cref="MaxLineChars"/> visible characters, and
/// lasts at most <see cref="MaxCueMs"/>; a speaker label (<c>system:SPEAKER_00:</c>) counts toward its first line;</item>
/// <item>cues break only between words, never inside a turn's punctuation, and never join two turns (so never two
/// speakers); a cue is filled greedily, its lines broken where they are most even;</item>
/// <item>a cue starts at its first word's t0 and ends at its last word's t1, cut back where the next cue starts (two
/// streams talking at once), never shorter than 1 ms, never overlapping;</item>
/// <item>the first cue after a change of speaker carries the label (SRT prints it; WebVTT tags every cue with its voice);</item>
/// <item>a single word longer than a line is never cut: it stands alone on its line, the only line allowed to be longer;</item>
/// <item>a turn without timed words (an older producer) spreads its text's words evenly over the turn.</item>
/// </list>
/// </summary>
internal static class SubtitleCues
{
    public const int MaxLineChars = 42;
    public const int MaxLines = 2;
    public const long MaxCueMs = 7000;

    /// <summary>The result's cues, in time order.</summary>
    public static IReadOnlyList<SubtitleCue> Plan(MuesliEvents.Result result)
    {
        var units = result.Turns.SelectMany(UnitsOf).OrderBy(u => u.StartMs).ToArray();
        var cues = new List<SubtitleCue>();
        var current = new List<Unit>();
        string? previousSpeaker = null;
        var labelled = false;
        foreach (var unit in units)
        {
            if (current.Count > 0
                && (unit.Turn != current[0].Turn
                    || unit.EndMs - current[0].StartMs > MaxCueMs
                    || Layout([.. current.Select(u => u.Text), unit.Text], labelled ? Label(unit.SpeakerId) : null) is null))
            {
                Flush();
            }

            if (current.Count == 0)
            {
                labelled = unit.SpeakerId != previousSpeaker;
            }

            current.Add(unit);
        }

        Flush();
        return Separated(cues);

        void Flush()
        {
            if (current.Count == 0)
            {
                return;
            }

            var start = current[0].StartMs;
            cues.Add(new SubtitleCue(current[0].SpeakerId, labelled, start, Math.Min(current[^1].EndMs, start + MaxCueMs), current.Select(u => u.Text).ToArray()));
            previousSpeaker = current[0].SpeakerId;
            current.Clear();
        }
    }

    /// <summary>The label SRT puts before a speaker's first cue.</summary>
    public static string Label(string speakerId) => $"{speakerId}:";

    /// <summary>A planned cue's lines, the label (when given) opening the first.</summary>
    public static IReadOnlyList<string> Lines(IReadOnlyList<string> words, string? label)
        => Layout(words, label) ?? throw new InvalidOperationException($"cue '{string.Join(' ', words)}' does not fit {MaxLines} lines");

    /// <summary>
    /// The words on one line, or on two broken where the longer line is shortest (ties: the shorter line on top); null
    /// when they do not fit. A line may pass <see cref="MaxLineChars"/> only when it is a single word.
    /// </summary>
    private static string[]? Layout(IReadOnlyList<string> words, string? label)
    {
        IReadOnlyList<string> tokens = label is null ? words : [label, .. words];
        var all = string.Join(' ', tokens);
        if (tokens.Count == 1 || all.Length <= MaxLineChars)
        {
            return [all];
        }

        string[]? best = null;
        for (var i = 1; i < tokens.Count; i++)
        {
            var top = string.Join(' ', tokens.Take(i));
            var bottom = string.Join(' ', tokens.Skip(i));
            if ((top.Length > MaxLineChars && i > 1) || (bottom.Length > MaxLineChars && tokens.Count - i > 1))
            {
                continue;
            }

            if (best is null || Score(top, bottom).CompareTo(Score(best[0], best[1])) < 0)
            {
                best = [top, bottom];
            }
        }

        return best;

        static (int Longest, int TopHeavy) Score(string top, string bottom) => (Math.Max(top.Length, bottom.Length), top.Length > bottom.Length ? 1 : 0);
    }

    /// <summary>A turn's display words with their times: its timed words, else its text's words spread evenly.</summary>
    private static IEnumerable<Unit> UnitsOf(MuesliEvents.ResultTurn turn, int index)
    {
        var timed = turn.Words is { Count: > 0 } words
            ? words.Select(w => (Text: w.Text.Trim(), T0: w.T0, T1: w.T1))
            : Spread(turn);
        var units = new List<Unit>();
        foreach (var (text, t0, t1) in timed)
        {
            if (text.Length == 0)
            {
                continue;
            }

            var (start, end) = (TranscriptFormats.Milliseconds(t0), TranscriptFormats.Milliseconds(t1));
            if (units.Count > 0 && SpeakerMerge.AttachesToPreviousWord(text))
            {
                units[^1] = units[^1] with { Text = units[^1].Text + text, EndMs = Math.Max(units[^1].EndMs, end) };
            }
            else
            {
                units.Add(new Unit(text, start, Math.Max(start, end), turn.SpeakerId, index));
            }
        }

        return units;
    }

    private static IEnumerable<(string Text, double T0, double T1)> Spread(MuesliEvents.ResultTurn turn)
    {
        var words = turn.Text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        var each = Math.Max(0, turn.T1 - turn.T0) / Math.Max(1, words.Length);
        return words.Select((w, i) => (w, turn.T0 + (i * each), turn.T0 + ((i + 1) * each)));
    }

    /// <summary>Each cue ends where the next starts at the latest and lasts at least 1 ms; so none overlaps the next.</summary>
    private static List<SubtitleCue> Separated(List<SubtitleCue> cues)
    {
        var separated = new List<SubtitleCue>(cues.Count);
        for (var i = 0; i < cues.Count; i++)
        {
            var start = i == 0 ? cues[i].StartMs : Math.Max(cues[i].StartMs, separated[^1].EndMs);
            var end = i + 1 < cues.Count ? Math.Min(cues[i].EndMs, cues[i + 1].StartMs) : cues[i].EndMs;
            separated.Add(cues[i] with { StartMs = start, EndMs = Math.Max(end, start + 1) });
        }

        return separated;
    }

    private sealed record Unit(string Text, long StartMs, long EndMs, string SpeakerId, int Turn);
}
