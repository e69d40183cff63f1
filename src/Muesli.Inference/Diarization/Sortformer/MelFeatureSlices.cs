using Muesli.Inference.Features;

namespace Muesli.Inference.Diarization.Sortformer;

/// <summary>
/// Frames [first, end) of the un-normalised NeMo log-mel of a whole signal, computed from only the samples they need,
/// so a long recording is never held as one feature matrix.
/// </summary>
internal static class MelFeatureSlices
{
    // Frame j of a slice reads slice samples [160j − 256, 160j + 256); from j = 2 on that stays clear of the slice's
    // own zero padding and of its first sample, whose pre-emphasis lacks the sample before it.
    private const int LeadFrames = 2;

    public static void Read(NemoMelFrontEnd frontEnd, ReadOnlySpan<float> samples, int first, int end, Span<float> timeMajor)
    {
        if (frontEnd.Normalize)
        {
            throw new ArgumentException("a slice of per-feature normalised features depends on the whole signal", nameof(frontEnd));
        }

        var hop = NemoMelFrontEnd.HopLength;
        var lead = Math.Min(first, LeadFrames);
        var sliceStart = (first - lead) * hop;
        var sliceEnd = Math.Min(samples.Length, ((end - 1) * hop) + (NemoMelFrontEnd.FftSize / 2));
        var features = frontEnd.Compute(samples[sliceStart..sliceEnd]);
        var frames = end - first;
        if (features.Frames < lead + frames || timeMajor.Length < frames * features.Features)
        {
            throw new ArgumentOutOfRangeException(nameof(end), end, $"frames [{first}, {end}) are not all within {samples.Length} samples");
        }

        for (var f = 0; f < features.Features; f++)
        {
            var row = features.Data.AsSpan((f * features.Frames) + lead, frames);
            for (var t = 0; t < frames; t++)
            {
                timeMajor[(t * features.Features) + f] = row[t];
            }
        }
    }
}
