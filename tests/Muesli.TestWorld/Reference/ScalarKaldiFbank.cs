namespace Muesli.TestWorld.Reference;

/// <summary>
/// Kaldi's fbank (compute-fbank-feats with snip_edges, no dither, no energy) written plainly from its recipe, in
/// double, one frame at a time with a naive DFT: a reference for tests and the scalar baseline for benchmarks.
/// Returns values[t, bin].
/// </summary>
public static class ScalarKaldiFbank
{
    private const int SampleRate = 16000;
    private const int FrameLength = 400;
    private const int FrameShift = 160;
    private const int NFft = 512;

    /// <param name="povey">The povey window (Kaldi's default) instead of Hamming.</param>
    /// <param name="scale">Multiplies the samples first (32768 for WeSpeaker).</param>
    /// <param name="subtractMean">Subtract each bin's mean over the frames.</param>
    public static float[,] Compute(ReadOnlySpan<float> samples, int melBins = 80, bool povey = false, double scale = 1, bool subtractMean = false)
    {
        var frames = samples.Length < FrameLength ? 0 : 1 + ((samples.Length - FrameLength) / FrameShift);
        var window = new double[FrameLength];
        for (var n = 0; n < FrameLength; n++)
        {
            var hann = 0.5 - (0.5 * Math.Cos(2 * Math.PI * n / (FrameLength - 1)));
            window[n] = povey ? Math.Pow(hann, 0.85) : 0.54 - (0.46 * Math.Cos(2 * Math.PI * n / (FrameLength - 1)));
        }

        var banks = MelBanks(melBins);
        var values = new double[frames, melBins];
        for (var t = 0; t < frames; t++)
        {
            var frame = new double[NFft];
            for (var n = 0; n < FrameLength; n++)
            {
                frame[n] = samples[(t * FrameShift) + n] * scale;
            }

            var mean = frame.Take(FrameLength).Average();
            for (var n = 0; n < FrameLength; n++)
            {
                frame[n] -= mean;
            }

            for (var n = FrameLength - 1; n > 0; n--)
            {
                frame[n] -= 0.97 * frame[n - 1];
            }

            frame[0] -= 0.97 * frame[0];
            for (var n = 0; n < FrameLength; n++)
            {
                frame[n] *= window[n];
            }

            var power = NaiveDft.PowerSpectrum(frame);
            for (var m = 0; m < melBins; m++)
            {
                double energy = 0;
                for (var k = 0; k < power.Length; k++)
                {
                    energy += banks[m, k] * power[k];
                }

                values[t, m] = Math.Log(Math.Max(energy, 1.1920928955078125e-7));
            }
        }

        if (subtractMean && frames > 0)
        {
            for (var m = 0; m < melBins; m++)
            {
                double mean = 0;
                for (var t = 0; t < frames; t++)
                {
                    mean += values[t, m];
                }

                mean /= frames;
                for (var t = 0; t < frames; t++)
                {
                    values[t, m] -= mean;
                }
            }
        }

        var result = new float[frames, melBins];
        for (var t = 0; t < frames; t++)
        {
            for (var m = 0; m < melBins; m++)
            {
                result[t, m] = (float)values[t, m];
            }
        }

        return result;
    }

    /// <summary>Kaldi's MelBanks over 20 Hz – Nyquist on 1127·ln(1 + f/700), as [bin, fft bin]; the Nyquist bin stays 0.</summary>
    public static double[,] MelBanks(int melBins)
    {
        static double Mel(double hz) => 1127 * Math.Log(1 + (hz / 700));

        var low = Mel(20);
        var high = Mel(SampleRate / 2.0);
        var delta = (high - low) / (melBins + 1);
        var banks = new double[melBins, (NFft / 2) + 1];
        for (var m = 0; m < melBins; m++)
        {
            var left = low + (m * delta);
            var centre = low + ((m + 1) * delta);
            var right = low + ((m + 2) * delta);
            for (var k = 0; k < NFft / 2; k++)
            {
                var mel = Mel(k * (double)SampleRate / NFft);
                if (mel > left && mel < right)
                {
                    banks[m, k] = mel <= centre ? (mel - left) / (centre - left) : (right - mel) / (right - centre);
                }
            }
        }

        return banks;
    }
}
