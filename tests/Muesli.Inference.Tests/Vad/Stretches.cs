using Muesli.Inference.Vad;

namespace Muesli.Inference.Tests.Vad;

/// <summary>Spans of time (seconds) as the VAD tests measure them: how much of a truth a detection covers.</summary>
internal static class Stretches
{
    /// <summary>The spans merged where they touch or overlap, in time order.</summary>
    public static IReadOnlyList<SpeechRegion> Union(IEnumerable<SpeechRegion> spans)
    {
        var merged = new List<SpeechRegion>();
        foreach (var span in spans.Where(s => s.End > s.Start).OrderBy(s => s.Start))
        {
            if (merged.Count > 0 && span.Start <= merged[^1].End)
            {
                merged[^1] = merged[^1] with { End = Math.Max(merged[^1].End, span.End) };
            }
            else
            {
                merged.Add(span);
            }
        }

        return merged;
    }

    public static double Total(IEnumerable<SpeechRegion> spans) => Union(spans).Sum(s => s.Duration);

    /// <summary>Seconds of <paramref name="truth"/> that <paramref name="detected"/> also holds (each counted once).</summary>
    public static double Shared(IEnumerable<SpeechRegion> truth, IEnumerable<SpeechRegion> detected)
    {
        var found = Union(detected);
        return Union(truth).Sum(t => found.Sum(d => Math.Max(0, Math.Min(t.End, d.End) - Math.Max(t.Start, d.Start))));
    }

    /// <summary>The share of <paramref name="truth"/>'s seconds that <paramref name="detected"/> holds.</summary>
    public static double Covered(IEnumerable<SpeechRegion> truth, IEnumerable<SpeechRegion> detected)
    {
        var spans = truth.ToList();
        return Shared(spans, detected) / Total(spans);
    }
}
