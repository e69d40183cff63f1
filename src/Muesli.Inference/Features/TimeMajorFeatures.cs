namespace Muesli.Inference.Features;

/// <summary>Time-major features: <c>Data[t * Features + f]</c>, i.e. [1, T, F] — one row of features per frame.</summary>
public sealed record TimeMajorFeatures(float[] Data, int Frames, int Features)
{
    public float this[int frame, int feature] => Data[(frame * Features) + feature];

    public ReadOnlySpan<float> Frame(int frame) => Data.AsSpan(frame * Features, Features);
}
