namespace Muesli.Inference.Asr.Tdt;

/// <summary>The encoder's output for one utterance, time-major: frame t is <c>Values[t * Dimension .. (t + 1) * Dimension]</c>.</summary>
public sealed record TdtEncoded(float[] Values, int Frames, int Dimension)
{
    public ReadOnlySpan<float> Frame(int t) => Values.AsSpan(t * Dimension, Dimension);
}
