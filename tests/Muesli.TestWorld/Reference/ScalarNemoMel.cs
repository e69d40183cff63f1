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
        // NeMo's get_seq_len: the centred STFT's last frame lies past the valid length and is masked out.
        var frames = (padded.Length - NFft) / Hop;

        // Symmetric Hann(400) zero-padded to 512, centred as torch.stft centres a shorter window.
        var window = new double[NFft];
        var offset = (NFft - Window) / 2;
        for (var n = 0; n < Window; n++)
        {
            window[offset + n] = 0.5 - (0.5 * Math.Cos(2 * Math.PI * n / (Window - 1)));
        }

        var filters = SlaneyFilters.Make(features, NFft, SampleRate);
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
}
