using Muesli.Core.Transcripts;
using Muesli.TestWorld;

namespace Muesli.Inference.Tests.ToneWorld;

/// <summary>
/// What was heard in a window of a meeting against what was said there: words cut by the window's edges are left
/// out of both, the rest is scored by WER and, word by word, by time.
/// </summary>
internal sealed record HeardTranscript(int ReferenceWords, double WordErrorRate, IReadOnlyList<string> TimingErrors)
{
    public const double TimingTolerance = 0.1;

    /// <param name="heard">Words with times from the window's start.</param>
    public static HeardTranscript Judge(ToneMeeting meeting, double windowStart, double windowEnd, IReadOnlyList<Word> heard)
    {
        var said = meeting.Words.Where(w => w.T1 > windowStart && w.T0 < windowEnd).ToArray();
        var inside = said.Where(w => w.T0 >= windowStart && w.T1 <= windowEnd).ToArray();
        var cut = said.Except(inside).ToArray();
        var onMeetingClock = heard
            .Select(w => w.Shift(windowStart))
            .Where(w => !cut.Any(c => c.T0 < w.End && c.T1 > w.Start))
            .ToArray();

        var wer = Scoring.WordErrorRate(
            string.Join(' ', inside.Select(w => w.Text)), string.Join(' ', onMeetingClock.Select(w => w.Text)));

        var timing = new List<string>();
        foreach (var word in inside)
        {
            var match = onMeetingClock.Where(h => h.Start < word.T1 && h.End > word.T0).ToArray();
            if (match.Length == 1 && match[0].Text == word.Text
                && (Math.Abs(match[0].Start - word.T0) > TimingTolerance || Math.Abs(match[0].End - word.T1) > TimingTolerance))
            {
                timing.Add($"{word.Text} said {word.T0:0.000}–{word.T1:0.000}, heard {match[0].Start:0.000}–{match[0].End:0.000}");
            }
        }

        return new HeardTranscript(inside.Length, wer, timing);
    }

    public static float[] Samples(short[] pcm, double from, double to)
    {
        var start = (int)Math.Round(from * 16000);
        var end = Math.Min(pcm.Length, (int)Math.Round(to * 16000));
        return pcm[start..end].Select(s => s / 32768f).ToArray();
    }
}
