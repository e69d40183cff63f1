namespace Muesli.TestWorld.Reference;

/// <summary>The power spectrum straight from the DFT's definition, in double: |Σ x[n]·e^(−2πi·kn/N)|².</summary>
public static class NaiveDft
{
    public static double[] PowerSpectrum(ReadOnlySpan<double> frame)
    {
        var n = frame.Length;
        var power = new double[(n / 2) + 1];
        for (var k = 0; k < power.Length; k++)
        {
            double re = 0;
            double im = 0;
            for (var i = 0; i < n; i++)
            {
                // k·i reduced mod n keeps the angle small, so cos/sin stay exact to double precision.
                var angle = 2 * Math.PI * ((long)k * i % n) / n;
                re += frame[i] * Math.Cos(angle);
                im -= frame[i] * Math.Sin(angle);
            }

            power[k] = (re * re) + (im * im);
        }

        return power;
    }
}
