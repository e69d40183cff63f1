namespace Muesli.Inference.Features;

/// <summary>Feature-major features as an encoder takes them: <c>Data[f * Frames + t]</c>, i.e. [1, F, T].</summary>
public sealed record FeatureMatrix(float[] Data, int Features, int Frames);

/// <summary>
/// The NeMo log-mel front end of spec/models.md: pre-emphasis 0.97, symmetric Hann(400) in a 512-point centred
/// STFT with hop 160, power spectrum, Slaney mel filterbank (Slaney norm, 0–8000 Hz), log(x + 2^-24), per-feature
/// normalisation over the frames (std with N−1, + 1e-5). Vectorised; one instance is not thread-safe.
/// </summary>
public sealed class NemoMelFrontEnd
{
    public NemoMelFrontEnd(int features) => throw new NotImplementedException();

    public int Features => throw new NotImplementedException();

    /// <summary>frames = floor((len + 2·256 − 512) / 160) + 1.</summary>
    public static int FrameCount(int samples) => throw new NotImplementedException();

    public FeatureMatrix Compute(ReadOnlySpan<float> samples16k) => throw new NotImplementedException();
}
