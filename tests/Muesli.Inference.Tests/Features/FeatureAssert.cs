namespace Muesli.Inference.Tests.Features;

internal static class FeatureAssert
{
    /// <summary>Asserts that every value(t, f) is within <paramref name="tolerance"/> of expected[t, f].</summary>
    public static void Close(float[,] expected, int frames, int features, Func<int, int, float> value, double tolerance)
    {
        Assert.Equal(expected.GetLength(0), frames);
        Assert.Equal(expected.GetLength(1), features);
        var worst = 0.0;
        var where = (0, 0);
        for (var t = 0; t < frames; t++)
        {
            for (var f = 0; f < features; f++)
            {
                var difference = Math.Abs(value(t, f) - expected[t, f]);
                if (difference > worst)
                {
                    worst = difference;
                    where = (t, f);
                }
            }
        }

        Assert.True(worst < tolerance, $"largest difference {worst} at (t, f) = {where}");
    }
}
