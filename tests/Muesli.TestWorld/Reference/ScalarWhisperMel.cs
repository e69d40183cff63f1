namespace Muesli.TestWorld.Reference;

/// <summary>
/// Whisper's log-mel spectrogram written plainly from its recipe, in double, with a naive DFT: periodic Hann(400),
/// reflect-padded centred STFT with hop 160 and the last frame dropped, Slaney mel, log10 clamped to max − 8,
/// (x + 4) / 4. Returns values[t, f].
/// </summary>
public static class ScalarWhisperMel
{
    private const int SampleRate = 16000;
    private const int NFft = 400;
    private const int Hop = 160;

    public static float[,] Compute(ReadOnlySpan<float> samples, int features = 80)
    {
        var n = samples.Length;
        var frames = n / Hop;
        var padded = new double[n + NFft];
        for (var i = 0; i < padded.Length; i++)
        {
            // numpy's reflect: −1 → 1, n → n − 2 (assumes more than 200 samples).
            var j = i - (NFft / 2);
            if (j < 0)
            {
                j = -j;
            }
            else if (j >= n)
            {
                j = (2 * (n - 1)) - j;
            }

            padded[i] = samples[j];
        }

        var filters = SlaneyFilters.Make(features, NFft, SampleRate);
        var logs = new double[frames, features];
        var peak = double.NegativeInfinity;
        for (var t = 0; t < frames; t++)
        {
            var frame = new double[NFft];
            for (var i = 0; i < NFft; i++)
            {
                frame[i] = padded[(t * Hop) + i] * (0.5 - (0.5 * Math.Cos(2 * Math.PI * i / NFft)));
            }

            var power = NaiveDft.PowerSpectrum(frame);
            for (var f = 0; f < features; f++)
            {
                double energy = 0;
                for (var k = 0; k < power.Length; k++)
                {
                    energy += filters[f, k] * power[k];
                }

                logs[t, f] = Math.Log10(Math.Max(energy, 1e-10));
                peak = Math.Max(peak, logs[t, f]);
            }
        }

        var result = new float[frames, features];
        for (var t = 0; t < frames; t++)
        {
            for (var f = 0; f < features; f++)
            {
                result[t, f] = (float)((Math.Max(logs[t, f], peak - 8) + 4) / 4);
            }
        }

        return result;
    }
}
