using System.Buffers.Binary;

namespace Muesli.Audio.Tests;

/// <summary>Test signals and the measurements the tests make on them, written out here so they do not lean on the code under test.</summary>
internal static class Signals
{
    /// <summary>Interleaved s16le frames of a sine; <paramref name="channelSign"/> sets each channel's polarity.</summary>
    public static byte[] Sine(int rate, int channels, double hz, double amplitude, long frames, long firstFrame = 0,
        int[]? channelSign = null)
    {
        var bytes = new byte[frames * channels * 2];
        for (long f = 0; f < frames; f++)
        {
            var value = amplitude * Math.Sin(2 * Math.PI * hz * (f + firstFrame) / rate);
            for (var c = 0; c < channels; c++)
            {
                var sign = channelSign?[c] ?? 1;
                var sample = (short)Math.Round(sign * value * 32767);
                BinaryPrimitives.WriteInt16LittleEndian(bytes.AsSpan((int)(((f * channels) + c) * 2)), sample);
            }
        }

        return bytes;
    }

    /// <summary>Deterministic white noise as s16le frames.</summary>
    public static byte[] Noise(int channels, long frames, int seed, double amplitude = 0.5)
    {
        var random = new Random(seed);
        var bytes = new byte[frames * channels * 2];
        for (var i = 0; i < bytes.Length / 2; i++)
        {
            var sample = (short)Math.Round(((random.NextDouble() * 2) - 1) * amplitude * 32767);
            BinaryPrimitives.WriteInt16LittleEndian(bytes.AsSpan(i * 2), sample);
        }

        return bytes;
    }

    public static short[] ToShorts(ReadOnlySpan<byte> pcm)
    {
        var samples = new short[pcm.Length / 2];
        for (var i = 0; i < samples.Length; i++)
        {
            samples[i] = BinaryPrimitives.ReadInt16LittleEndian(pcm[(i * 2)..]);
        }

        return samples;
    }

    public static byte[] ToBytes(ReadOnlySpan<short> samples)
    {
        var bytes = new byte[samples.Length * 2];
        for (var i = 0; i < samples.Length; i++)
        {
            BinaryPrimitives.WriteInt16LittleEndian(bytes.AsSpan(i * 2), samples[i]);
        }

        return bytes;
    }

    /// <summary>Amplitude of the <paramref name="hz"/> component (Goertzel), in the samples' own units.</summary>
    public static double ToneAmplitude(ReadOnlySpan<double> samples, int rate, double hz)
    {
        var coefficient = 2 * Math.Cos(2 * Math.PI * hz / rate);
        double previous = 0, beforePrevious = 0;
        foreach (var x in samples)
        {
            var current = x + (coefficient * previous) - beforePrevious;
            beforePrevious = previous;
            previous = current;
        }

        var power = (previous * previous) + (beforePrevious * beforePrevious) - (coefficient * previous * beforePrevious);
        return 2 * Math.Sqrt(Math.Max(power, 0)) / samples.Length;
    }

    public static int ZeroCrossings(ReadOnlySpan<double> samples)
    {
        var crossings = 0;
        for (var i = 1; i < samples.Length; i++)
        {
            if ((samples[i - 1] < 0 && samples[i] >= 0) || (samples[i - 1] >= 0 && samples[i] < 0))
            {
                crossings++;
            }
        }

        return crossings;
    }

    public static double Rms(ReadOnlySpan<double> samples)
    {
        var sum = 0.0;
        foreach (var x in samples)
        {
            sum += x * x;
        }

        return Math.Sqrt(sum / samples.Length);
    }

    public static double[] Scaled(IEnumerable<short> samples) => samples.Select(s => s / 32768.0).ToArray();

    /// <summary>Splits <paramref name="total"/> into random pieces between 1 and <paramref name="largest"/>.</summary>
    public static List<int> RandomChunks(int total, int largest, int seed)
    {
        var random = new Random(seed);
        var pieces = new List<int>();
        while (total > 0)
        {
            var piece = Math.Min(total, random.Next(1, largest + 1));
            pieces.Add(piece);
            total -= piece;
        }

        return pieces;
    }
}
