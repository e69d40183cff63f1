using Muesli.Inference.Features;
using Muesli.TestWorld.Reference;

namespace Muesli.Inference.Tests.Features;

public sealed class NemoMelFrontEndTests
{
    // The Slaney scale from its definition: 200/3 Hz per mel below 1 kHz, then a log step of ln(6.4)/27 per mel.
    private static double SlaneyMelToHz(double mel) => mel < 15 ? mel * 200 / 3 : 1000 * Math.Exp((mel - 15) * Math.Log(6.4) / 27);

    private static double SlaneyHzToMel(double hz) => hz < 1000 ? hz * 3 / 200 : 15 + (Math.Log(hz / 1000) * 27 / Math.Log(6.4));

    private static double FilterEdgeHz(int index, int features) => SlaneyMelToHz(SlaneyHzToMel(8000) * index / (features + 1));

    [Theory]
    [InlineData(128, 0, 1)]
    [InlineData(128, 0, 2)] // past filter 0's right edge: weight 0
    [InlineData(128, 41, 31)]
    [InlineData(128, 42, 32)]
    [InlineData(128, 100, 130)]
    [InlineData(128, 127, 250)]
    [InlineData(80, 10, 12)]
    [InlineData(80, 60, 120)]
    public void Slaney_filter_weights_match_the_formula(int features, int filter, int bin)
    {
        var left = FilterEdgeHz(filter, features);
        var centre = FilterEdgeHz(filter + 1, features);
        var right = FilterEdgeHz(filter + 2, features);
        var hz = bin * 16000.0 / 512;
        var triangle = Math.Max(0, Math.Min((hz - left) / (centre - left), (right - hz) / (right - centre)));
        var expected = triangle * 2 / (right - left);

        var actual = new NemoMelFrontEnd(features).Filterbank.Weight(filter, bin);

        Assert.Equal(expected, actual, 1e-7);
    }

    [Theory]
    [InlineData(128, 0)]
    [InlineData(128, 42)]
    [InlineData(80, 79)]
    public void Filter_centres_are_the_slaney_edges(int features, int filter)
    {
        Assert.Equal(FilterEdgeHz(filter + 1, features), new NemoMelFrontEnd(features).Filterbank.CentreHz(filter), 1e-9);
    }

    [Fact]
    public void Filters_are_sparse_and_zero_outside_their_triangle()
    {
        var bank = new NemoMelFrontEnd(128).Filterbank;
        Assert.Equal(128, bank.Filters);
        Assert.Equal(257, bank.Bins);
        for (var f = 0; f < bank.Filters; f++)
        {
            var first = bank.FirstBin(f);
            var weights = bank.Weights(f);
            Assert.True(first * 16000.0 / 512 > FilterEdgeHz(f, 128) - 1e-9, $"filter {f} starts before its left edge");
            Assert.True((first + weights.Length - 1) * 16000.0 / 512 < FilterEdgeHz(f + 2, 128) + 1e-9, $"filter {f} ends after its right edge");
            Assert.Equal(0f, bank.Weight(f, first - 1));
            Assert.Equal(0f, bank.Weight(f, first + weights.Length));
        }
    }

    [Fact]
    public void Wide_filters_have_unit_area()
    {
        // Slaney normalisation makes each triangle's area 1 Hz⁻¹·Hz: Σ weight · bin width ≈ 1 once a filter spans many bins.
        var bank = new NemoMelFrontEnd(80).Filterbank;
        for (var f = 60; f < 80; f++)
        {
            double area = 0;
            for (var k = 0; k < bank.Bins; k++)
            {
                area += bank.Weight(f, k) * (16000.0 / 512);
            }

            Assert.InRange(area, 0.95, 1.05);
        }
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(1, 0)]
    [InlineData(159, 0)]
    [InlineData(160, 1)]
    [InlineData(319, 1)]
    [InlineData(16000, 100)]
    [InlineData(16159, 100)]
    [InlineData(176000, 1100)]
    [InlineData(4_800_000, 30000)]
    public void Frame_count_is_nemos_valid_length_len_over_the_hop(int samples, int frames)
    {
        Assert.Equal(frames, NemoMelFrontEnd.FrameCount(samples));
        Assert.Equal(frames, new NemoMelFrontEnd(80).Compute(new float[samples]).Frames);
    }

    [Theory]
    [InlineData(128)]
    [InlineData(80)]
    public void A_1khz_sine_peaks_in_the_filter_centred_nearest_1khz(int features)
    {
        var expected = Enumerable.Range(0, features).MinBy(f => Math.Abs(FilterEdgeHz(f + 1, features) - 1000));

        var mel = new NemoMelFrontEnd(features, normalize: false).Compute(Signals.Sine(1000, 16000));

        var frame = mel.Frames / 2;
        var peak = Enumerable.Range(0, features).MaxBy(f => mel[f, frame]);
        Assert.Equal(expected, peak);
    }

    [Fact]
    public void Per_feature_normalisation_gives_zero_mean_and_unit_std()
    {
        var mel = new NemoMelFrontEnd(128).Compute(Signals.Speechlike(48000, seed: 3));

        for (var f = 0; f < mel.Features; f++)
        {
            var row = Enumerable.Range(0, mel.Frames).Select(t => (double)mel[f, t]).ToArray();
            var mean = row.Average();
            var std = Math.Sqrt(row.Sum(v => (v - mean) * (v - mean)) / (row.Length - 1));
            Assert.InRange(mean, -1e-4, 1e-4);
            Assert.InRange(std, 1 - 1e-3, 1 + 1e-4);
        }
    }

    [Theory]
    [InlineData(128, 16000, true)]
    [InlineData(80, 23457, true)]
    [InlineData(128, 8000, false)]
    [InlineData(80, 1000, false)]
    public void Output_agrees_with_the_scalar_reference(int features, int samples, bool normalize)
    {
        var signal = Signals.Speechlike(samples, seed: samples);

        var actual = new NemoMelFrontEnd(features, normalize).Compute(signal);
        var expected = ScalarNemoMel.Compute(signal, features, normalize);

        FeatureAssert.Close(expected, actual.Frames, actual.Features, (t, f) => actual[f, t], 1e-3);
    }

    [Fact]
    public void Raw_log_mel_of_silence_is_the_log_guard()
    {
        var mel = new NemoMelFrontEnd(80, normalize: false).Compute(new float[3200]);

        Assert.All(mel.Data, v => Assert.Equal(Math.Log(Math.Pow(2, -24)), v, 1e-5));
    }

    [Fact]
    public void A_single_frame_normalises_to_zeros()
    {
        var mel = new NemoMelFrontEnd(80).Compute(Signals.Sine(440, 200));

        Assert.Equal(1, mel.Frames);
        Assert.All(mel.Data, v => Assert.Equal(0f, v));
    }

    [Fact]
    public void Ten_minutes_of_digital_silence_normalise_to_exactly_zero()
    {
        var mel = new NemoMelFrontEnd(128).Compute(new float[16000 * 600]);

        Assert.All(mel.Data, x => Assert.Equal(0f, x));
    }

    [Fact]
    public void One_instance_gives_the_same_features_twice()
    {
        var frontEnd = new NemoMelFrontEnd(128);
        var signal = Signals.Speechlike(20000, seed: 9);

        var first = frontEnd.Compute(signal);
        var second = frontEnd.Compute(signal);

        Assert.Equal(first.Data, second.Data);
    }

    [Fact]
    public void Time_major_view_holds_the_same_values()
    {
        var mel = new NemoMelFrontEnd(80).Compute(Signals.Speechlike(4000, seed: 1));

        var rows = mel.ToTimeMajor();

        Assert.Equal(mel.Frames, rows.Frames);
        for (var t = 0; t < mel.Frames; t++)
        {
            for (var f = 0; f < mel.Features; f++)
            {
                Assert.Equal(mel[f, t], rows.Data[(t * 80) + f]);
            }
        }
    }
}
