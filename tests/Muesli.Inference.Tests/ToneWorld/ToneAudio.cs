namespace Muesli.Inference.Tests.ToneWorld;

/// <summary>Plain signal measurements the tone-world tests judge rendered audio by.</summary>
internal static class ToneAudio
{
    /// <summary>Amplitude of the sinusoid at <paramref name="hz"/> in samples [from, from + count), by correlation.</summary>
    public static double Amplitude(short[] samples, int rate, int channels, int channel, double hz, long from, int count)
    {
        double cos = 0, sin = 0;
        for (var n = 0; n < count; n++)
        {
            var x = samples[(from + n) * channels + channel] / 32767.0;
            var phase = 2 * Math.PI * hz * (from + n) / rate;
            cos += x * Math.Cos(phase);
            sin += x * Math.Sin(phase);
        }

        return 2 * Math.Sqrt(cos * cos + sin * sin) / count;
    }

    /// <summary>The frequency, on a grid of <paramref name="step"/> Hz, whose sinusoid is strongest in the range.</summary>
    public static double StrongestFrequency(short[] samples, int rate, int channels, long from, int count, double low, double high, double step)
    {
        var best = low;
        var bestAmplitude = -1.0;
        for (var hz = low; hz <= high; hz += step)
        {
            var amplitude = Amplitude(samples, rate, channels, 0, hz, from, count);
            if (amplitude > bestAmplitude)
            {
                (best, bestAmplitude) = (hz, amplitude);
            }
        }

        return best;
    }

    public static float[] ToFloat(short[] samples) => samples.Select(s => s / 32768f).ToArray();
}
