using System.Numerics;
using Muesli.Inference.Features;
using Muesli.TestWorld.Reference;

namespace Muesli.Inference.Tests.Features;

public sealed class FftTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(8)]
    [InlineData(12)]
    [InlineData(14)]
    [InlineData(200)]
    [InlineData(256)]
    [InlineData(250)]
    public void Complex_fft_of_every_lane_matches_the_dft_definition(int size)
    {
        var lanes = ComplexFft.Lanes;
        var random = new Random(size);
        var inputRe = new double[lanes, size];
        var inputIm = new double[lanes, size];
        var re = new Vector<float>[size];
        var im = new Vector<float>[size];
        for (var n = 0; n < size; n++)
        {
            var laneRe = new float[lanes];
            var laneIm = new float[lanes];
            for (var lane = 0; lane < lanes; lane++)
            {
                laneRe[lane] = (float)((random.NextDouble() * 2) - 1);
                laneIm[lane] = (float)((random.NextDouble() * 2) - 1);
                inputRe[lane, n] = laneRe[lane];
                inputIm[lane, n] = laneIm[lane];
            }

            re[n] = new Vector<float>(laneRe);
            im[n] = new Vector<float>(laneIm);
        }

        new ComplexFft(size).Forward(re, im);

        for (var lane = 0; lane < lanes; lane++)
        {
            for (var k = 0; k < size; k++)
            {
                double expectedRe = 0;
                double expectedIm = 0;
                for (var n = 0; n < size; n++)
                {
                    var angle = -2 * Math.PI * ((long)k * n % size) / size;
                    expectedRe += (inputRe[lane, n] * Math.Cos(angle)) - (inputIm[lane, n] * Math.Sin(angle));
                    expectedIm += (inputRe[lane, n] * Math.Sin(angle)) + (inputIm[lane, n] * Math.Cos(angle));
                }

                // Float rounding grows like sqrt(N)·log N relative to the signal's energy.
                var tolerance = 2e-6 * size;
                Assert.InRange(re[k][lane], expectedRe - tolerance, expectedRe + tolerance);
                Assert.InRange(im[k][lane], expectedIm - tolerance, expectedIm + tolerance);
            }
        }
    }

    [Fact]
    public void Sizes_factor_into_the_planned_radices()
    {
        Assert.Equal([4, 4, 4, 4], new ComplexFft(256).Radices);
        Assert.Equal([4, 2, 5, 5], new ComplexFft(200).Radices);
        Assert.Equal([2, 7], new ComplexFft(14).Radices);
    }

    [Theory]
    [InlineData(512)]
    [InlineData(400)]
    [InlineData(6)]
    [InlineData(2)]
    public void Real_power_spectrum_matches_the_naive_dft(int size)
    {
        var random = new Random(size);
        var frame = new float[size];
        for (var n = 0; n < size; n++)
        {
            frame[n] = (float)((random.NextDouble() * 2) - 1);
        }

        var power = new float[(size / 2) + 1];
        new RealFft(size).PowerSpectrum(frame, power);

        var expected = NaiveDft.PowerSpectrum(frame.Select(v => (double)v).ToArray());
        var scale = expected.Max();
        for (var k = 0; k < power.Length; k++)
        {
            Assert.True(Math.Abs(power[k] - expected[k]) <= 1e-5 * scale, $"bin {k}: {power[k]} vs {expected[k]}");
        }
    }

    [Fact]
    public void Each_lane_is_its_own_frame()
    {
        const int size = 400;
        var lanes = ComplexFft.Lanes;
        var rows = new Vector<float>[size];
        var frames = new float[lanes][];
        for (var lane = 0; lane < lanes; lane++)
        {
            frames[lane] = Signals.Sine(300 + (lane * 400), size);
        }

        for (var n = 0; n < size; n++)
        {
            var row = new float[lanes];
            for (var lane = 0; lane < lanes; lane++)
            {
                row[lane] = frames[lane][n];
            }

            rows[n] = new Vector<float>(row);
        }

        var fft = new RealFft(size);
        var power = new Vector<float>[fft.Bins];
        fft.PowerSpectra(rows, power);

        for (var lane = 0; lane < lanes; lane++)
        {
            var expected = NaiveDft.PowerSpectrum(frames[lane].Select(v => (double)v).ToArray());
            var scale = expected.Max();
            for (var k = 0; k < fft.Bins; k++)
            {
                Assert.True(Math.Abs(power[k][lane] - expected[k]) <= 1e-5 * scale, $"lane {lane} bin {k}");
            }
        }
    }
}
