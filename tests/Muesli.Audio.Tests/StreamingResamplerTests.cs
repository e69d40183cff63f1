using System.Buffers.Binary;
using Muesli.Core;
using Xunit;

namespace Muesli.Audio.Tests;

public sealed class StreamingResamplerTests
{
    private static List<short> Resample(AudioFormat format, byte[] pcm, IEnumerable<int>? chunkFrames = null)
    {
        var resampler = new StreamingResampler(format);
        var output = new List<short>();
        var offset = 0;
        foreach (var frames in chunkFrames ?? [pcm.Length / format.BytesPerFrame])
        {
            var bytes = frames * format.BytesPerFrame;
            resampler.Process(pcm.AsSpan(offset, bytes), output);
            offset += bytes;
        }

        return output;
    }

    [Theory]
    [InlineData(48000)]
    [InlineData(44100)]
    public void A_1kHz_stereo_sine_becomes_a_16kHz_mono_sine_at_1kHz_of_the_same_amplitude(int rate)
    {
        var format = new AudioFormat(rate, 2);
        var output = Resample(format, Signals.Sine(rate, 2, 1000, 0.5, 2 * rate));

        Assert.Equal(32000, output.Count);

        // 1.5 s in the middle, clear of the start-up delay.
        var middle = Signals.Scaled(output.Skip(4000).Take(24000)).AsSpan();
        Assert.InRange(Signals.ZeroCrossings(middle), 2999, 3001);
        var amplitude = Signals.ToneAmplitude(middle, 16000, 1000);
        Assert.InRange(amplitude, 0.5 * 0.97, 0.5 * 1.03);

        // A pure tone: its whole energy sits at 1 kHz.
        Assert.InRange(Signals.Rms(middle) * Math.Sqrt(2), amplitude * 0.99, amplitude * 1.01);
    }

    [Fact]
    public void Content_above_8kHz_is_filtered_out_rather_than_folded_down()
    {
        var output = Resample(new AudioFormat(48000, 1), Signals.Sine(48000, 1, 10_000, 0.5, 48000));

        var middle = Signals.Scaled(output.Skip(2000).Take(12000)).AsSpan();
        Assert.True(Signals.Rms(middle) < 0.005, $"rms {Signals.Rms(middle)}");
    }

    [Theory]
    [InlineData(8000, 1)]
    [InlineData(16000, 2)]
    [InlineData(22050, 1)]
    [InlineData(32000, 2)]
    [InlineData(44100, 2)]
    [InlineData(48000, 1)]
    [InlineData(48000, 2)]
    [InlineData(96000, 2)]
    [InlineData(192000, 1)]
    [InlineData(48000, 6)]
    [InlineData(44100, 8)]
    public void After_any_chunking_exactly_floor_n_times_16000_over_rate_samples_have_come_out(int rate, int channels)
    {
        var format = new AudioFormat(rate, channels);
        var resampler = new StreamingResampler(format);
        var pcm = Signals.Noise(channels, rate * 3 / 2, seed: rate + channels);
        var output = new List<short>();
        var offset = 0;
        foreach (var frames in Signals.RandomChunks(pcm.Length / format.BytesPerFrame, rate / 20, seed: channels))
        {
            resampler.Process(pcm.AsSpan(offset, frames * format.BytesPerFrame), output);
            offset += frames * format.BytesPerFrame;

            var inputFrames = offset / format.BytesPerFrame;
            Assert.Equal(inputFrames, resampler.InputFrames);
            Assert.Equal((long)inputFrames * 16000 / rate, resampler.OutputSamples);
            Assert.Equal(resampler.OutputSamples, output.Count);
        }
    }

    [Fact]
    public void Unusual_rates_with_silences_between_the_audio_keep_the_exact_count()
    {
        var random = new Random(5);
        for (var trial = 0; trial < 40; trial++)
        {
            var format = new AudioFormat(random.Next(1000, 192_001), random.Next(1, 3));
            var resampler = new StreamingResampler(format);
            var pcm = Signals.Noise(format.Channels, format.SampleRate / 4, seed: trial);
            var output = new List<short>();
            var offset = 0;
            foreach (var frames in Signals.RandomChunks(pcm.Length / format.BytesPerFrame, 2000, seed: trial))
            {
                resampler.Process(pcm.AsSpan(offset, frames * format.BytesPerFrame), output);
                offset += frames * format.BytesPerFrame;
                if (random.Next(10) == 0)
                {
                    resampler.ProcessSilence(random.Next(0, format.SampleRate), output);
                }
            }

            Assert.Equal(resampler.InputFrames * 16000 / format.SampleRate, output.Count);
        }
    }

    [Theory]
    [InlineData(44100, 2)]
    [InlineData(48000, 2)]
    [InlineData(8000, 1)]
    [InlineData(96000, 1)]
    public void The_output_does_not_depend_on_how_the_input_is_chunked(int rate, int channels)
    {
        var format = new AudioFormat(rate, channels);
        var frames = rate * 2;
        var pcm = Signals.Noise(channels, frames, seed: 7);

        var whole = Resample(format, pcm);
        var smallPieces = Resample(format, pcm, Signals.RandomChunks(frames, 7, seed: 1));
        var largePieces = Resample(format, pcm, Signals.RandomChunks(frames, rate / 3, seed: 2));

        Assert.Equal(whole, smallPieces);
        Assert.Equal(whole, largePieces);
    }

    [Fact]
    public void Opposite_channels_downmix_to_silence()
    {
        var output = Resample(
            new AudioFormat(48000, 2), Signals.Sine(48000, 2, 440, 0.8, 48000, channelSign: [1, -1]));

        Assert.Equal(16000, output.Count);
        Assert.All(output, s => Assert.Equal(0, s));
    }

    [Fact]
    public void Channels_are_averaged()
    {
        // Eight constant channels at 16 kHz: no resampling, so the average is exact.
        var format = new AudioFormat(16000, 8);
        short[] levels = [800, -400, 1200, 0, 100, 300, -1000, 2000];
        var pcm = new byte[1000 * format.BytesPerFrame];
        for (var i = 0; i < pcm.Length / 2; i++)
        {
            BinaryPrimitives.WriteInt16LittleEndian(pcm.AsSpan(i * 2), levels[i % 8]);
        }

        var output = Resample(format, pcm);

        Assert.Equal(1000, output.Count);
        Assert.All(output, s => Assert.Equal(levels.Average(l => (double)l), s));
    }

    [Fact]
    public void Sixteen_kHz_mono_passes_through_unchanged()
    {
        var pcm = Signals.Noise(1, 20_000, seed: 3, amplitude: 1.0);
        var resampler = new StreamingResampler(AudioFormat.Asr);
        var output = new List<short>();

        resampler.Process(pcm, output);

        Assert.Equal(0, resampler.DelaySamples);
        Assert.Equal(Signals.ToShorts(pcm), output);
    }

    [Theory]
    [InlineData(48000)]
    [InlineData(44100)]
    [InlineData(8000)]
    public void Content_comes_out_delayed_by_exactly_the_documented_delay(int rate)
    {
        var format = new AudioFormat(rate, 1);
        var pcm = new byte[rate * 2];
        var clickFrame = rate / 4;
        BinaryPrimitives.WriteInt16LittleEndian(pcm.AsSpan(clickFrame * 2), 30000);
        var resampler = new StreamingResampler(format);
        var output = new List<short>();

        resampler.Process(pcm, output);

        var peak = output.IndexOf(output.Max());
        var expected = (clickFrame * 16000.0 / rate) + resampler.DelaySamples;
        Assert.InRange(peak, expected - 1, expected + 1);
        Assert.InRange(resampler.DelaySamples * 1000.0 / 16000, 1, 10);
    }

    [Fact]
    public void Short_silence_equals_processing_zero_bytes()
    {
        var format = new AudioFormat(44100, 2);
        var tone = Signals.Sine(44100, 2, 700, 0.4, 10_000);
        var viaSilence = new StreamingResampler(format);
        var viaZeros = new StreamingResampler(format);
        var a = new List<short>();
        var b = new List<short>();

        viaSilence.Process(tone, a);
        viaSilence.ProcessSilence(100, a);
        viaSilence.Process(tone, a);
        viaZeros.Process(tone, b);
        viaZeros.Process(new byte[100 * 4], b);
        viaZeros.Process(tone, b);

        Assert.Equal(b, a);
    }

    [Fact]
    public void A_long_silence_has_the_exact_length_and_keeps_the_audio_on_both_sides_in_place()
    {
        var rate = 48000;
        var format = new AudioFormat(rate, 2);
        var toneFrames = rate / 2;
        var gapFrames = 600L * rate;
        var before = Signals.Sine(rate, 2, 1000, 0.5, toneFrames);
        var after = Signals.Sine(rate, 2, 1500, 0.5, toneFrames);
        var resampler = new StreamingResampler(format);
        var output = new List<short>();

        resampler.Process(before, output);
        resampler.ProcessSilence(gapFrames, output);
        resampler.Process(after, output);

        var total = toneFrames + gapFrames + toneFrames;
        Assert.Equal(total * 16000 / rate, output.Count);

        // The first tone's tail comes out in full, as if zeros had been processed.
        var reference = new StreamingResampler(format);
        var referenceOutput = new List<short>();
        reference.Process(before, referenceOutput);
        reference.Process(new byte[rate * 4], referenceOutput);
        var tailEnd = (toneFrames * 16000 / rate) + reference.DelaySamples + 100;
        Assert.Equal(referenceOutput.Take(tailEnd), output.Take(tailEnd));

        // The gap is silent, and the second tone sits where its input position says, at its frequency.
        // (The filter reaches half its length, 32 output samples at 48 kHz, ahead of a sound.)
        var secondStart = (int)((toneFrames + gapFrames) * 16000 / rate) + resampler.DelaySamples;
        Assert.All(output.Skip(tailEnd).Take(secondStart - 40 - tailEnd), s => Assert.Equal(0, s));
        var second = Signals.Scaled(output.Skip(secondStart + 200).Take(6400)).AsSpan();
        Assert.InRange(Signals.ToneAmplitude(second, 16000, 1500), 0.485, 0.515);
    }
}
