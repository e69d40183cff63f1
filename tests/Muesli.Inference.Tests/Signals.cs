namespace Muesli.Inference.Tests;

/// <summary>Deterministic test signals at 16 kHz.</summary>
internal static class Signals
{
    public static float[] Sine(double hz, int samples, double amplitude = 0.5, int rate = 16000)
    {
        var x = new float[samples];
        for (var n = 0; n < samples; n++)
        {
            x[n] = (float)(amplitude * Math.Sin(2 * Math.PI * hz * n / rate));
        }

        return x;
    }

    /// <summary>Uniform white noise of the given RMS (−60 dBFS is 0.001), as the tone world makes its floor; zeros at RMS 0.</summary>
    public static float[] WhiteNoise(int samples, double rms, int seed)
    {
        var random = new Random(seed);
        var halfWidth = rms * Math.Sqrt(3);
        var x = new float[samples];
        for (var n = 0; n < samples; n++)
        {
            x[n] = (float)(halfWidth * ((2 * random.NextDouble()) - 1));
        }

        return x;
    }

    /// <summary>Uniform noise in [−amplitude, amplitude] plus a sweep, so every mel band has energy that changes.</summary>
    public static float[] Speechlike(int samples, int seed, double amplitude = 0.3)
    {
        var random = new Random(seed);
        var x = new float[samples];
        double phase = 0;
        for (var n = 0; n < samples; n++)
        {
            var hz = 200 + (3000 * n / (double)Math.Max(1, samples));
            phase += 2 * Math.PI * hz / 16000;
            x[n] = (float)((amplitude * ((2 * random.NextDouble()) - 1)) + (0.2 * Math.Sin(phase)));
        }

        return x;
    }
}
