using Muesli.Inference.Features;
using Muesli.TestWorld.Reference;

namespace Muesli.Inference.Tests.Features;

public sealed class KaldiFbankTests
{
    private static double KaldiMel(double hz) => 1127 * Math.Log(1 + (hz / 700));

    [Fact]
    public void Hamming_window_is_Kaldis()
    {
        var window = new KaldiFbankFrontEnd().Window;

        Assert.Equal(400, window.Length);
        Assert.Equal(0.08, window[0], 1e-7);
        Assert.Equal(0.08, window[399], 1e-7);
        for (var n = 0; n < 400; n += 37)
        {
            Assert.Equal(0.54 - (0.46 * Math.Cos(2 * Math.PI * n / 399)), window[n], 1e-7);
        }
    }

    [Fact]
    public void Povey_window_is_hann_to_the_085()
    {
        var window = new KaldiFbankFrontEnd(new KaldiFbankOptions { Window = KaldiWindow.Povey }).Window;

        Assert.Equal(0, window[0]);
        for (var n = 1; n < 400; n += 41)
        {
            Assert.Equal(Math.Pow(0.5 - (0.5 * Math.Cos(2 * Math.PI * n / 399)), 0.85), window[n], 1e-7);
        }
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(0, 2)]
    [InlineData(1, 2)]
    [InlineData(40, 60)]
    [InlineData(79, 250)]
    [InlineData(79, 255)]
    public void Mel_bins_are_triangles_between_kaldi_mel_edges(int bin, int fftBin)
    {
        var low = KaldiMel(20);
        var delta = (KaldiMel(8000) - low) / 81;
        var (left, centre, right) = (low + (bin * delta), low + ((bin + 1) * delta), low + ((bin + 2) * delta));
        var mel = KaldiMel(fftBin * 16000.0 / 512);
        var expected = mel <= left || mel >= right ? 0
            : mel <= centre ? (mel - left) / (centre - left) : (right - mel) / (right - centre);

        var actual = new KaldiFbankFrontEnd().Filterbank.Weight(bin, fftBin);

        Assert.Equal(expected, actual, 1e-6);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(40)]
    [InlineData(79)]
    public void Bin_centres_are_evenly_spaced_in_kaldi_mel(int bin)
    {
        var low = KaldiMel(20);
        var centreMel = low + ((bin + 1) * (KaldiMel(8000) - low) / 81);

        var centreHz = new KaldiFbankFrontEnd().Filterbank.CentreHz(bin);

        Assert.Equal(centreMel, KaldiMel(centreHz), 1e-9);
    }

    [Fact]
    public void Bins_start_above_20hz_and_nyquist_gets_no_weight()
    {
        var bank = new KaldiFbankFrontEnd().Filterbank;

        Assert.Equal(80, bank.Filters);
        Assert.Equal(0f, bank.Weight(0, 0)); // 0 Hz is below the 20 Hz low edge
        for (var m = 0; m < bank.Filters; m++)
        {
            Assert.Equal(0f, bank.Weight(m, 256));
        }

        // The first bin's left edge is 20 Hz: 31.25 Hz (fft bin 1) lies inside it.
        Assert.True(bank.Weight(0, 1) > 0);
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(399, 0)]
    [InlineData(400, 1)]
    [InlineData(559, 1)]
    [InlineData(560, 2)]
    [InlineData(16000, 98)]
    public void Frame_count_snips_edges(int samples, int frames)
    {
        Assert.Equal(frames, KaldiFbankFrontEnd.FrameCount(samples));
        var features = new KaldiFbankFrontEnd().Compute(new float[samples]);
        Assert.Equal(frames, features.Frames);
        Assert.Equal(frames * 80, features.Data.Length);
    }

    [Theory]
    [InlineData(false, 1.0, false, 16000)]
    [InlineData(false, 32768.0, true, 12345)]
    [InlineData(true, 1.0, true, 7000)]
    public void Output_agrees_with_the_scalar_reference(bool povey, double scale, bool subtractMean, int samples)
    {
        var signal = Signals.Speechlike(samples, seed: samples);
        var options = new KaldiFbankOptions
        {
            Window = povey ? KaldiWindow.Povey : KaldiWindow.Hamming,
            InputScale = (float)scale,
            SubtractMean = subtractMean,
        };

        var actual = new KaldiFbankFrontEnd(options).Compute(signal);
        var expected = ScalarKaldiFbank.Compute(signal, 80, povey, scale, subtractMean);

        FeatureAssert.Close(expected, actual.Frames, actual.Features, (t, f) => actual[t, f], 1e-3);
    }

    [Fact]
    public void Input_scale_shifts_log_energies_by_twice_its_log()
    {
        var signal = Signals.Speechlike(8000, seed: 5);

        var plain = new KaldiFbankFrontEnd().Compute(signal);
        var scaled = new KaldiFbankFrontEnd(new KaldiFbankOptions { InputScale = 32768 }).Compute(signal);

        var shift = 2 * Math.Log(32768);
        for (var i = 0; i < plain.Data.Length; i++)
        {
            Assert.Equal(plain.Data[i] + shift, scaled.Data[i], 1e-3);
        }
    }

    [Fact]
    public void Subtracting_the_mean_centres_every_bin_over_time()
    {
        var features = new KaldiFbankFrontEnd(KaldiFbankOptions.WeSpeaker).Compute(Signals.Speechlike(16000, seed: 8));

        for (var m = 0; m < features.Features; m++)
        {
            var mean = Enumerable.Range(0, features.Frames).Average(t => features[t, m]);
            Assert.InRange(mean, -1e-4, 1e-4);
        }
    }

    [Fact]
    public void Silence_is_floored_at_float_epsilon()
    {
        var features = new KaldiFbankFrontEnd().Compute(new float[1600]);

        Assert.All(features.Data, v => Assert.Equal(Math.Log(Math.Pow(2, -23)), v, 1e-5));
    }

    [Fact]
    public void Presets_follow_the_embedding_recipes()
    {
        Assert.Equal(KaldiWindow.Hamming, KaldiFbankOptions.WeSpeaker.Window);
        Assert.Equal(32768f, KaldiFbankOptions.WeSpeaker.InputScale);
        Assert.True(KaldiFbankOptions.WeSpeaker.SubtractMean);
        Assert.Equal(KaldiWindow.Povey, KaldiFbankOptions.CamPlusPlus.Window);
        Assert.Equal(1f, KaldiFbankOptions.CamPlusPlus.InputScale);
        Assert.True(KaldiFbankOptions.CamPlusPlus.SubtractMean);
    }
}
