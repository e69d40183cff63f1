using Muesli.Core.Transcripts;
using Muesli.Inference.Tests.Vad;

namespace Muesli.Inference.Tests.Sortformer;

/// <summary>
/// Diarization error rate on 10 ms frames, no collar: (missed + false alarm + confusion) / reference speech, with the
/// one-to-one mapping of hypothesis to reference speakers that maximises the speech they agree on.
/// </summary>
internal static class FrameDiarizationError
{
    private const double Frame = 0.01;

    public static double Rate(IReadOnlyList<RttmTurn> reference, IReadOnlyList<SpeakerSegment> hypothesis)
    {
        var end = Math.Max(reference.Max(r => r.End), hypothesis.Select(h => h.End).DefaultIfEmpty(0).Max());
        var frames = (int)Math.Ceiling(end / Frame);
        var referenceSpeakers = reference.Select(r => r.Speaker).Distinct().ToList();
        var hypothesisSpeakers = hypothesis.Select(h => h.Speaker).Distinct().ToList();
        var referenceActive = referenceSpeakers.Select(s => Active(frames, reference.Where(r => r.Speaker == s).Select(r => (r.Start, r.End)))).ToList();
        var hypothesisActive = hypothesisSpeakers.Select(s => Active(frames, hypothesis.Where(h => h.Speaker == s).Select(h => (h.Start, h.End)))).ToList();

        var agree = new int[referenceSpeakers.Count, hypothesisSpeakers.Count];
        double missed = 0, falseAlarm = 0, shared = 0, speech = 0;
        for (var t = 0; t < frames; t++)
        {
            var inReference = referenceActive.Count(a => a[t]);
            var inHypothesis = hypothesisActive.Count(a => a[t]);
            speech += inReference;
            missed += Math.Max(0, inReference - inHypothesis);
            falseAlarm += Math.Max(0, inHypothesis - inReference);
            shared += Math.Min(inReference, inHypothesis);
            for (var r = 0; r < referenceSpeakers.Count; r++)
            {
                for (var h = 0; h < hypothesisSpeakers.Count; h++)
                {
                    agree[r, h] += referenceActive[r][t] && hypothesisActive[h][t] ? 1 : 0;
                }
            }
        }

        var confusion = shared - BestMapping(agree, 0, new bool[hypothesisSpeakers.Count]);
        return (missed + falseAlarm + confusion) / speech;
    }

    private static bool[] Active(int frames, IEnumerable<(double Start, double End)> spans)
    {
        var active = new bool[frames];
        foreach (var (start, end) in spans)
        {
            for (var t = (int)Math.Round(start / Frame); t < Math.Min(frames, (int)Math.Round(end / Frame)); t++)
            {
                active[t] = true;
            }
        }

        return active;
    }

    // Tries every hypothesis speaker (or none) for each reference speaker in turn.
    private static int BestMapping(int[,] agree, int reference, bool[] taken)
    {
        if (reference == agree.GetLength(0))
        {
            return 0;
        }

        var best = BestMapping(agree, reference + 1, taken);
        for (var h = 0; h < taken.Length; h++)
        {
            if (!taken[h])
            {
                taken[h] = true;
                best = Math.Max(best, agree[reference, h] + BestMapping(agree, reference + 1, taken));
                taken[h] = false;
            }
        }

        return best;
    }
}
