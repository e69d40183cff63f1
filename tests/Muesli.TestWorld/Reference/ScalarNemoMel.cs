namespace Muesli.TestWorld.Reference;

/// <summary>
/// The NeMo log-mel front end written plainly from its formulas (spec/models.md), in double, one frame at a time
/// with a naive DFT: a reference for tests and the scalar baseline for benchmarks. Returns values[t, f].
/// </summary>
public static class ScalarNemoMel
{
    private const int SampleRate = 16000;
    private const int Window = 400;
    private const int Hop = 160;
    private const int NFft = 512;

    public static float[,] Compute(ReadOnlySpan<float> samples, int features, bool normalize = true)
    {
        // Pre-emphasis keeps the first sample.
        var emphasised = new double[samples.Length];
        for (var n = 0; n < samples.Length; n++)
        {
            emphasised[n] = n == 0 ? samples[0] : samples[n] - (0.97 * samples[n - 1]);
        }

        // Centred STFT: n_fft/2 zeros each side.
        var padded = new double[samples.Length + NFft];
        Array.Copy(emphasised, 0, padded, NFft / 2, emphasised.Length);
        var frames = ((padded.Length - NFft) / Hop) + 1;

        // Symmetric Hann(400) zero-padded to 512, centred as torch.stft centres a shorter window.
        var window = new double[NFft];
        var offset = (NFft - Window) / 2;
        for (var n = 0; n < Window; n++)
        {
            window[offset + n] = 0.5 - (0.5 * Math.Cos(2 * Math.PI * n / (Window - 1)));
        }

        var filters = SlaneyFilters(features);
        var values = new double[frames, features];
        var frame = new double[NFft];
        for (var t = 0; t < frames; t++)
        {
            for (var n = 0; n < NFft; n++)
            {
                frame[n] = padded[(t * Hop) + n] * window[n];
            }

            var power = NaiveDft.PowerSpectrum(frame);
            for (var f = 0; f < features; f++)
            {
                double energy = 0;
                for (var k = 0; k < power.Length; k++)
                {
                    energy += filters[f, k] * power[k];
                }

                values[t, f] = Math.Log(energy + Math.Pow(2, -24));
            }
        }

        if (normalize)
        {
            for (var f = 0; f < features; f++)
            {
                double mean = 0;
                for (var t = 0; t < frames; t++)
                {
                    mean += values[t, f];
                }

                mean /= frames;
                double squares = 0;
                for (var t = 0; t < frames; t++)
                {
                    squares += (values[t, f] - mean) * (values[t, f] - mean);
                }

                // A single frame has no N−1 spread: taken as 0, so it normalises to zero.
                var std = frames > 1 ? Math.Sqrt(squares / (frames - 1)) : 0;
                for (var t = 0; t < frames; t++)
                {
                    values[t, f] = (values[t, f] - mean) / (std + 1e-5);
                }
            }
        }

        var result = new float[frames, features];
        for (var t = 0; t < frames; t++)
        {
            for (var f = 0; f < features; f++)
            {
                result[t, f] = (float)values[t, f];
            }
        }

        return result;
    }

    /// <summary>librosa's mel(sr=16000, n_fft=512, fmin=0, fmax=8000, htk=False, norm='slaney'), as [filter, bin].</summary>
    public static double[,] SlaneyFilters(int features)
    {
        static double HzToMel(double hz) => hz < 1000 ? hz * 3 / 200 : 15 + (Math.Log(hz / 1000) * 27 / Math.Log(6.4));
        static double MelToHz(double mel) => mel < 15 ? mel * 200 / 3 : 1000 * Math.Exp((mel - 15) * Math.Log(6.4) / 27);

        var top = HzToMel(SampleRate / 2.0);
        var edges = new double[features + 2];
        for (var i = 0; i < edges.Length; i++)
        {
            edges[i] = MelToHz(top * i / (features + 1));
        }

        var bins = (NFft / 2) + 1;
        var filters = new double[features, bins];
        for (var f = 0; f < features; f++)
        {
            for (var k = 0; k < bins; k++)
            {
                var hz = k * (double)SampleRate / NFft;
                var up = (hz - edges[f]) / (edges[f + 1] - edges[f]);
                var down = (edges[f + 2] - hz) / (edges[f + 2] - edges[f + 1]);
                filters[f, k] = Math.Max(0, Math.Min(up, down)) * 2 / (edges[f + 2] - edges[f]);
            }
        }

        return filters;
    }
}
