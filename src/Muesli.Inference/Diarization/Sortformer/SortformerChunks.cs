namespace Muesli.Inference.Diarization.Sortformer;

/// <summary>
/// One model run's slice of the features (10 ms frames): the chunk [<see cref="Start"/>, <see cref="End"/>) whose
/// predictions are kept, with <see cref="LeftContext"/> frames before it and <see cref="RightContext"/> after it.
/// </summary>
public readonly record struct SortformerChunk(int Start, int End, int LeftContext, int RightContext)
{
    public int InputStart => Start - LeftContext;

    public int InputEnd => End + RightContext;

    public int InputFrames => InputEnd - InputStart;

    /// <summary>Encoder frames of left context to skip in the model's answer (the context is whole encoder frames).</summary>
    public int LeftEncoderFrames => LeftContext / SortformerModel.SubsamplingFactor;

    /// <summary>Encoder frames of right context to skip; a partial last one still makes a frame.</summary>
    public int RightEncoderFrames => (RightContext + SortformerModel.SubsamplingFactor - 1) / SortformerModel.SubsamplingFactor;
}

/// <summary>
/// Cuts features into chunks the way NeMo's <c>streaming_feat_loader</c> does: chunks of chunk × 8 frames, each with up
/// to left × 8 frames before it and right × 8 after it, clipped at the edges of the features.
/// </summary>
public static class SortformerChunks
{
    public static IReadOnlyList<SortformerChunk> Plan(int featureFrames, SortformerLayout layout)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(featureFrames);
        ArgumentNullException.ThrowIfNull(layout);
        var factor = SortformerModel.SubsamplingFactor;
        var stride = layout.ChunkFrames * factor;
        var chunks = new List<SortformerChunk>((featureFrames / stride) + 1);
        for (var start = 0; start < featureFrames; start += stride)
        {
            var end = Math.Min(start + stride, featureFrames);
            chunks.Add(new SortformerChunk(
                start,
                end,
                Math.Min(layout.LeftContextFrames * factor, start),
                Math.Min(layout.RightContextFrames * factor, featureFrames - end)));
        }

        return chunks;
    }

    /// <summary>Encoder frames the whole features make: ceil(frames / 8), as the model's output is trimmed to.</summary>
    public static int OutputFrames(int featureFrames) =>
        (featureFrames + SortformerModel.SubsamplingFactor - 1) / SortformerModel.SubsamplingFactor;
}
