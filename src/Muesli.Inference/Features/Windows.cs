namespace Muesli.Inference.Features;

/// <summary>Analysis windows, computed in double and stored as float.</summary>
public static class Windows
{
    /// <summary>Symmetric Hann, 0.5 − 0.5·cos(2πn/(N−1)) (torch's <c>hann_window(N, periodic=False)</c>).</summary>
    public static float[] SymmetricHann(int length) => Make(length, n => 0.5 - (0.5 * Math.Cos(2 * Math.PI * n / (length - 1))));

    /// <summary>Periodic Hann, 0.5 − 0.5·cos(2πn/N) (torch's default <c>hann_window(N)</c>, as Whisper uses).</summary>
    public static float[] PeriodicHann(int length) => Make(length, n => 0.5 - (0.5 * Math.Cos(2 * Math.PI * n / length)));

    /// <summary>Kaldi's Hamming, 0.54 − 0.46·cos(2πn/(N−1)).</summary>
    public static float[] Hamming(int length) => Make(length, n => 0.54 - (0.46 * Math.Cos(2 * Math.PI * n / (length - 1))));

    /// <summary>Kaldi's default "povey" window, (0.5 − 0.5·cos(2πn/(N−1)))^0.85.</summary>
    public static float[] Povey(int length) => Make(length, n => Math.Pow(0.5 - (0.5 * Math.Cos(2 * Math.PI * n / (length - 1))), 0.85));

    private static float[] Make(int length, Func<int, double> value)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(length, 2);
        var window = new float[length];
        for (var n = 0; n < length; n++)
        {
            window[n] = (float)value(n);
        }

        return window;
    }
}
