using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Muesli.Core;
using NAudio.Wave;

namespace Muesli.Audio;

/// <summary>Raised with a message fit for a user when an audio file cannot be read.</summary>
public sealed class AudioFileException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>Reads whole audio files (WAV int16 / int24 / int32 / float32, any rate, 1–8 channels) as 16 kHz mono floats.</summary>
public static class AudioFile
{
    private const int FramesPerRead = 16384;

    /// <summary>
    /// Decodes the file, averages its channels and resamples to 16 kHz with the streaming resampler; the whole
    /// file is known, so the resampler's constant delay is removed and its tail flushed with silence.
    /// The result holds floor(frames · 16000 / rate) samples in [-1, 1].
    /// </summary>
    public static float[] Read16kMono(string path)
    {
        if (!File.Exists(path))
        {
            throw new AudioFileException($"audio file not found: {path}");
        }

        using var reader = OpenWav(path);
        var format = reader.WaveFormat;
        if (format.Channels is < 1 or > StreamingResampler.MaxChannels)
        {
            throw new AudioFileException(
                $"{path}: {format.Channels} channels are not supported (1 to {StreamingResampler.MaxChannels})");
        }

        var decode = SampleDecoder(path, format);
        var targetRate = AudioFormat.Asr.SampleRate;
        var resampler = new MonoResampler(format.SampleRate, targetRate);
        var expected = reader.Length / format.BlockAlign * targetRate / format.SampleRate;
        var output = new List<float>((int)Math.Min(expected + 1024, Array.MaxLength));
        var bytes = new byte[FramesPerRead * format.BlockAlign];
        var mono = new float[FramesPerRead];
        var bytesPerSample = format.BitsPerSample / 8;
        int read;
        while ((read = ReadWhole(reader, bytes)) > 0)
        {
            var frames = read / format.BlockAlign;
            for (var frame = 0; frame < frames; frame++)
            {
                var sum = 0.0;
                var offset = frame * format.BlockAlign;
                for (var channel = 0; channel < format.Channels; channel++)
                {
                    sum += decode(bytes.AsSpan(offset + (channel * bytesPerSample), bytesPerSample));
                }

                mono[frame] = (float)(sum / format.Channels);
            }

            resampler.Process(mono.AsSpan(0, frames), output);
        }

        var inputFrames = resampler.InputSamples;
        var owed = inputFrames * targetRate / format.SampleRate;
        var delay = resampler.DelaySamples;

        // Enough silence after the end that the last owed sample, delayed, comes out of the filter.
        var tail = (long)Math.Ceiling((delay + 2.0) * format.SampleRate / targetRate);
        resampler.ProcessSilence(tail, output);
        return CollectionsMarshal.AsSpan(output).Slice(delay, (int)owed).ToArray();
    }

    private static WaveFileReader OpenWav(string path)
    {
        try
        {
            return new WaveFileReader(path);
        }
        catch (Exception e) when (e is FormatException or InvalidDataException or EndOfStreamException
                                  or ArgumentException or NotSupportedException)
        {
            throw new AudioFileException($"{path} is not a readable WAV file: {e.Message}", e);
        }
    }

    private static int ReadWhole(WaveFileReader reader, byte[] buffer)
    {
        var filled = 0;
        int read;
        while (filled < buffer.Length && (read = reader.Read(buffer, filled, buffer.Length - filled)) > 0)
        {
            filled += read;
        }

        return filled - (filled % reader.WaveFormat.BlockAlign);
    }

    private delegate double Decoder(ReadOnlySpan<byte> sample);

    private static Decoder SampleDecoder(string path, WaveFormat format)
    {
        var encoding = format.Encoding;
        if (encoding == WaveFormatEncoding.Extensible && format is WaveFormatExtensible extensible)
        {
            encoding = extensible.SubFormat == AudioMediaSubtypes.MEDIASUBTYPE_PCM ? WaveFormatEncoding.Pcm
                : extensible.SubFormat == AudioMediaSubtypes.MEDIASUBTYPE_IEEE_FLOAT ? WaveFormatEncoding.IeeeFloat
                : WaveFormatEncoding.Extensible;
        }

        return (encoding, format.BitsPerSample) switch
        {
            (WaveFormatEncoding.Pcm, 16) => s => BinaryPrimitives.ReadInt16LittleEndian(s) / 32768.0,
            (WaveFormatEncoding.Pcm, 24) => s => ((s[0] | (s[1] << 8) | ((sbyte)s[2] << 16))) / 8388608.0,
            (WaveFormatEncoding.Pcm, 32) => s => BinaryPrimitives.ReadInt32LittleEndian(s) / 2147483648.0,
            (WaveFormatEncoding.IeeeFloat, 32) => s => BinaryPrimitives.ReadSingleLittleEndian(s),
            _ => throw new AudioFileException(
                $"{path}: WAV encoding {format.Encoding} {format.BitsPerSample}-bit is not supported "
                + "(PCM 16, 24 or 32-bit, or IEEE float 32-bit)"),
        };
    }
}
