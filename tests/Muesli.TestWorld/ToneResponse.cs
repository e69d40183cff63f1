using Muesli.TestWorld.Reference;

namespace Muesli.TestWorld;

/// <summary>
/// What the NeMo front end makes of a steady tone, before the log: pre-emphasis 0.97, symmetric Hann(400) in a
/// 512-point DFT at 16 kHz, power, Slaney mel filterbank. The stand-in models read it to know which mel bins a
/// word's tone fills.
/// </summary>
public static class ToneResponse
{
    private const int SampleRate = 16000;
    private const int WindowLength = 400;
    private const int FftLength = 512;
    private const double PreEmphasis = 0.97;

    /// <summary>Mel power of each of <paramref name="bins"/> bins for a unit-amplitude tone at <paramref name="hz"/>.</summary>
    public static double[] MelPower(double hz, int bins)
    {
        var omega = 2 * Math.PI * hz / SampleRate;
        var frame = new double[FftLength];
        for (var n = 0; n < WindowLength; n++)
        {
            var hann = 0.5 - (0.5 * Math.Cos(2 * Math.PI * n / (WindowLength - 1)));
            frame[n] = hann * (Math.Sin(omega * n) - (PreEmphasis * Math.Sin(omega * (n - 1))));
        }

        var spectrum = NaiveDft.PowerSpectrum(frame);
        var filters = SlaneyFilters.Make(bins, FftLength, SampleRate);
        var mel = new double[bins];
        for (var m = 0; m < bins; m++)
        {
            for (var k = 0; k < spectrum.Length; k++)
            {
                mel[m] += filters[m, k] * spectrum[k];
            }
        }

        return mel;
    }

    /// <summary>The bins within 3 dB of the tone's strongest bin: where the word is heard, clear of its neighbours.</summary>
    public static int[] CoreBins(double hz, int bins)
    {
        var mel = MelPower(hz, bins);
        var peak = mel.Max();
        return Enumerable.Range(0, bins).Where(m => mel[m] >= 0.5 * peak).ToArray();
    }
}
