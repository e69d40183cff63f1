namespace Muesli.Inference.Features;

/// <summary>The two mel scales the front ends use.</summary>
public static class MelScale
{
    private const double SlaneyHzPerMel = 200.0 / 3;
    private const double SlaneyBreakHz = 1000;
    private const double SlaneyBreakMel = SlaneyBreakHz / SlaneyHzPerMel;
    private static readonly double SlaneyLogStep = Math.Log(6.4) / 27;

    /// <summary>Slaney's scale (librosa's default, <c>htk=False</c>): linear below 1 kHz, logarithmic above.</summary>
    public static double SlaneyFromHz(double hz) => hz < SlaneyBreakHz
        ? hz / SlaneyHzPerMel
        : SlaneyBreakMel + (Math.Log(hz / SlaneyBreakHz) / SlaneyLogStep);

    public static double SlaneyToHz(double mel) => mel < SlaneyBreakMel
        ? mel * SlaneyHzPerMel
        : SlaneyBreakHz * Math.Exp(SlaneyLogStep * (mel - SlaneyBreakMel));

    /// <summary>Kaldi's (HTK-style) scale: 1127·ln(1 + f/700).</summary>
    public static double KaldiFromHz(double hz) => 1127.0 * Math.Log(1.0 + (hz / 700.0));

    public static double KaldiToHz(double mel) => 700.0 * (Math.Exp(mel / 1127.0) - 1.0);
}
