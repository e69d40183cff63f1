using Muesli.Inference.Features;
using Muesli.TestWorld.Reference;

namespace Muesli.Inference.Tests.Features;

public sealed class WhisperMelTests
{
    [Theory]
    [InlineData(0, 0)]
    [InlineData(159, 0)]
    [InlineData(160, 1)]
    [InlineData(16000, 100)]
    [InlineData(480000, 3000)]
    public void Frame_count_drops_the_last_stft_frame(int samples, int frames)
    {
        Assert.Equal(frames, WhisperMelFrontEnd.FrameCount(samples));
        Assert.Equal(frames, new WhisperMelFrontEnd().Compute(Signals.Sine(440, samples)).Frames);
    }

    [Fact]
    public void Values_are_clamped_to_8_below_the_peak_and_scaled()
    {
        // Loud tone then digital silence: silence sits at the floor, which the clamp lifts to peak − 8.
        var signal = Signals.Sine(1000, 16000, amplitude: 0.9).Concat(new float[16000]).ToArray();

        var mel = new WhisperMelFrontEnd().Compute(signal);

        var max = mel.Data.Max();
        var min = mel.Data.Min();
        Assert.Equal(max - 2, min, 1e-5); // (peak − 8 + 4)/4 = (peak + 4)/4 − 2
        Assert.Equal(min, mel[40, mel.Frames - 5]);
    }

    [Fact]
    public void Peak_value_is_the_scaled_log10_of_the_strongest_mel_energy()
    {
        var signal = Signals.Speechlike(16000, seed: 2);

        var mel = new WhisperMelFrontEnd().Compute(signal);
        var expected = ScalarWhisperMel.Compute(signal);

        var expectedPeak = expected.Cast<float>().Max();
        Assert.Equal(expectedPeak, mel.Data.Max(), 1e-4);
    }

    [Fact]
    public void A_1khz_sine_peaks_in_the_filter_centred_nearest_1khz()
    {
        var top = SlaneyFilters.HzToMel(8000);
        var expected = Enumerable.Range(0, 80).MinBy(f => Math.Abs(SlaneyFilters.MelToHz(top * (f + 1) / 81) - 1000));

        var mel = new WhisperMelFrontEnd().Compute(Signals.Sine(1000, 16000));

        var frame = mel.Frames / 2;
        Assert.Equal(expected, Enumerable.Range(0, 80).MaxBy(f => mel[f, frame]));
    }

    [Theory]
    [InlineData(80, 16000)]
    [InlineData(128, 5000)]
    public void Output_agrees_with_the_scalar_reference(int features, int samples)
    {
        var signal = Signals.Speechlike(samples, seed: samples);

        var actual = new WhisperMelFrontEnd(features).Compute(signal);
        var expected = ScalarWhisperMel.Compute(signal, features);

        FeatureAssert.Close(expected, actual.Frames, actual.Features, (t, f) => actual[f, t], 1e-3);
    }

    [Fact]
    public void Pad_or_trim_makes_3000_frames()
    {
        var mel = new WhisperMelFrontEnd().Compute(Signals.Speechlike(16000, seed: 4));

        var padded = WhisperMelFrontEnd.PadOrTrim(mel);
        Assert.Equal(3000, padded.Frames);
        Assert.Equal(mel[7, 99], padded[7, 99]);
        Assert.Equal(0f, padded[7, 100]);

        var trimmed = WhisperMelFrontEnd.PadOrTrim(mel, 50);
        Assert.Equal(50, trimmed.Frames);
        Assert.Equal(mel[79, 49], trimmed[79, 49]);
    }

    [Fact]
    public void A_window_is_cut_from_the_whole_inputs_log_mel_and_padded_with_zero_frames()
    {
        // Hand-built: frame t of bin f holds f + t / 1000, so every copied value says where it came from.
        var mel = new FeatureMatrix(Enumerable.Range(0, 2 * 700).Select(i => (i / 700) + ((i % 700) / 1000f)).ToArray(), 2, 700);

        var window = WhisperMelFrontEnd.Window(mel, first: 500, count: 200);

        Assert.Equal(WhisperMelFrontEnd.ChunkFrames, window.Frames);
        Assert.Equal([0.5f, 0.699f, 1.5f, 1.699f], [window[0, 0], window[0, 199], window[1, 0], window[1, 199]]);
        Assert.All(Enumerable.Range(200, 2800), t => Assert.Equal((0f, 0f), (window[0, t], window[1, t])));
        Assert.Throws<ArgumentOutOfRangeException>(() => WhisperMelFrontEnd.Window(mel, 600, 200));
    }

    [Fact]
    public void A_quiet_window_of_a_louder_input_is_clamped_to_the_inputs_peak()
    {
        // 1 s of a loud tone, then 40 s of a very quiet one: the quiet window's floor is set by the loud second.
        var audio = Signals.Sine(1000, 16000, amplitude: 0.5).Concat(Signals.Sine(1000, 40 * 16000, amplitude: 1e-6)).ToArray();
        var frontEnd = new WhisperMelFrontEnd(80);
        var whole = frontEnd.Compute(audio);
        var alone = frontEnd.Compute(audio.AsSpan(30 * 16000).ToArray());

        var window = WhisperMelFrontEnd.Window(whole, 3000, 1000);

        var lowest = Enumerable.Range(0, 1000).Min(t => window[0, t]);
        Assert.Equal(whole.Data.Min(), lowest, 1e-5);
        Assert.True(alone.Data.Min() < lowest - 0.5, $"alone, the quiet stretch would reach far lower than {lowest}, not {alone.Data.Min()}");
    }

    [Fact]
    public void Short_input_reflects_without_failing()
    {
        var mel = new WhisperMelFrontEnd().Compute(Signals.Sine(500, 170));

        Assert.Equal(1, mel.Frames);
        Assert.All(mel.Data, v => Assert.True(float.IsFinite(v)));
    }
}
