namespace Muesli.TestWorld;

/// <summary>
/// The Slaney mel scale (linear to 1 kHz, logarithmic above) and the NeMo filterbank's band edges over 0–8 kHz, as
/// the stand-in models need them to know which mel bins each tone lands in.
/// </summary>
public static class SlaneyMel
{
    public const double MaxHz = 8000;

    private const double HzPerMelBelowBreak = 200.0 / 3;
    private const double BreakHz = 1000;
    private const double BreakMel = BreakHz / HzPerMelBelowBreak;
    private static readonly double LogStep = Math.Log(6.4) / 27;

    public static double ToMel(double hz)
        => hz < BreakHz ? hz / HzPerMelBelowBreak : BreakMel + Math.Log(hz / BreakHz) / LogStep;

    public static double ToHz(double mel)
        => mel < BreakMel ? mel * HzPerMelBelowBreak : BreakHz * Math.Exp(LogStep * (mel - BreakMel));

    /// <summary>
    /// The <paramref name="bins"/> + 2 band edges (Hz): bin m's triangle rises from edge m, peaks at edge m + 1 and
    /// falls to edge m + 2.
    /// </summary>
    public static double[] BandEdges(int bins)
    {
        var top = ToMel(MaxHz);
        return Enumerable.Range(0, bins + 2).Select(i => ToHz(top * i / (bins + 1))).ToArray();
    }

    /// <summary>The filter's response (0–1, before Slaney's area normalisation) of bin m at a frequency.</summary>
    public static double Triangle(double[] edges, int bin, double hz)
    {
        var (low, centre, high) = (edges[bin], edges[bin + 1], edges[bin + 2]);
        return hz <= low || hz >= high ? 0 : hz <= centre ? (hz - low) / (centre - low) : (high - hz) / (high - centre);
    }
}
