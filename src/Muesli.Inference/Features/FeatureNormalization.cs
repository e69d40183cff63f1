using System.Numerics;

namespace Muesli.Inference.Features;

/// <summary>The normalisations the front ends apply over time, vectorised.</summary>
internal static class FeatureNormalization
{
    /// <summary>
    /// NeMo's <c>per_feature</c>: each feature row x of a feature-major matrix becomes (x − mean) / (std + ε) with
    /// std over N − 1. With one frame N − 1 = 0 leaves the spread undefined (NeMo divides by zero); it is taken as 0,
    /// so a single frame normalises to zeros instead of NaN.
    /// </summary>
    public static void PerFeature(Span<float> data, int features, int frames, float epsilon)
    {
        for (var f = 0; f < features; f++)
        {
            var row = data.Slice(f * frames, frames);
            var mean = (float)(Sum(row) / frames);
            var variance = frames > 1 ? SumOfSquaredDeviations(row, mean) / (frames - 1) : 0;
            var scale = 1f / ((float)Math.Sqrt(variance) + epsilon);
            Affine(row, mean, scale);
        }
    }

    /// <summary>Subtracts, from each feature of a time-major matrix, its mean over the frames.</summary>
    public static void SubtractMeanOverTime(Span<float> data, int features, int frames)
    {
        if (frames == 0)
        {
            return;
        }

        var means = new double[features];
        for (var t = 0; t < frames; t++)
        {
            var row = data.Slice(t * features, features);
            for (var f = 0; f < features; f++)
            {
                means[f] += row[f];
            }
        }

        var mean = new float[features];
        for (var f = 0; f < features; f++)
        {
            mean[f] = (float)(means[f] / frames);
        }

        for (var t = 0; t < frames; t++)
        {
            Subtract(data.Slice(t * features, features), mean);
        }
    }

    // Accumulated in double: over minutes of frames a float sum drifts, and a constant row (digital silence) would
    // normalise to a spurious ±1 instead of exactly zero.
    private static double Sum(ReadOnlySpan<float> values)
    {
        var lanes = Vector<float>.Count;
        var acc = Vector<double>.Zero;
        var i = 0;
        for (; i <= values.Length - lanes; i += lanes)
        {
            Vector.Widen(new Vector<float>(values[i..]), out var low, out var high);
            acc += low + high;
        }

        var sum = Vector.Sum(acc);
        for (; i < values.Length; i++)
        {
            sum += values[i];
        }

        return sum;
    }

    private static double SumOfSquaredDeviations(ReadOnlySpan<float> values, float mean)
    {
        var lanes = Vector<float>.Count;
        var centre = new Vector<float>(mean);
        var acc = Vector<double>.Zero;
        var i = 0;
        for (; i <= values.Length - lanes; i += lanes)
        {
            var d = new Vector<float>(values[i..]) - centre;
            Vector.Widen(d * d, out var low, out var high);
            acc += low + high;
        }

        var sum = Vector.Sum(acc);
        for (; i < values.Length; i++)
        {
            var d = values[i] - mean;
            sum += d * d;
        }

        return sum;
    }

    // x ← (x − offset) · scale
    private static void Affine(Span<float> values, float offset, float scale)
    {
        var lanes = Vector<float>.Count;
        var o = new Vector<float>(offset);
        var i = 0;
        for (; i <= values.Length - lanes; i += lanes)
        {
            ((new Vector<float>(values[i..]) - o) * scale).CopyTo(values[i..]);
        }

        for (; i < values.Length; i++)
        {
            values[i] = (values[i] - offset) * scale;
        }
    }

    private static void Subtract(Span<float> values, ReadOnlySpan<float> amounts)
    {
        var lanes = Vector<float>.Count;
        var i = 0;
        for (; i <= values.Length - lanes; i += lanes)
        {
            (new Vector<float>(values[i..]) - new Vector<float>(amounts[i..])).CopyTo(values[i..]);
        }

        for (; i < values.Length; i++)
        {
            values[i] -= amounts[i];
        }
    }
}
