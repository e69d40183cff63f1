using System.Buffers.Binary;
using Muesli.TestWorld;

namespace Muesli.Host.Tests;

/// <summary>WAV files in the forms standard tools write, made from a canonical 16-bit file's samples.</summary>
public static class WavForms
{
    /// <summary>The interleaved samples of a canonical 44-byte-header 16-bit WAV (as the test world writes them).</summary>
    public static (short[] Samples, int Rate, int Channels) ReadCanonical(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var channels = BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(22));
        var rate = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(24));
        var samples = new short[(bytes.Length - WavFile.HeaderBytes) / 2];
        for (var i = 0; i < samples.Length; i++)
        {
            samples[i] = BinaryPrimitives.ReadInt16LittleEndian(bytes.AsSpan(WavFile.HeaderBytes + (2 * i)));
        }

        return (samples, rate, channels);
    }

    /// <summary>
    /// Writes WAVE_FORMAT_EXTENSIBLE PCM of <paramref name="bits"/> (16 or 24) with <paramref name="channels"/> channels:
    /// each output channel c carries input channel c modulo the input's, so the mix of the channels is unchanged.
    /// </summary>
    public static void WriteExtensible(string path, short[] samples, int rate, int inputChannels, int channels, int bits)
    {
        var frames = samples.Length / inputChannels;
        var bytesPerSample = bits / 8;
        var blockAlign = channels * bytesPerSample;
        var data = new byte[(long)frames * blockAlign];
        for (var f = 0; f < frames; f++)
        {
            for (var c = 0; c < channels; c++)
            {
                int value = samples[(f * inputChannels) + (c % inputChannels)];
                var at = (f * blockAlign) + (c * bytesPerSample);
                if (bits == 24)
                {
                    value <<= 8;
                    data[at] = (byte)value;
                    data[at + 1] = (byte)(value >> 8);
                    data[at + 2] = (byte)(value >> 16);
                }
                else
                {
                    BinaryPrimitives.WriteInt16LittleEndian(data.AsSpan(at), (short)value);
                }
            }
        }

        var header = new byte[68];
        "RIFF"u8.CopyTo(header);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(4), (uint)(header.Length - 8 + data.Length));
        "WAVE"u8.CopyTo(header.AsSpan(8));
        "fmt "u8.CopyTo(header.AsSpan(12));
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(16), 40);
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(20), 0xFFFE);
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(22), (ushort)channels);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(24), (uint)rate);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(28), (uint)(rate * blockAlign));
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(32), (ushort)blockAlign);
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(34), (ushort)bits);
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(36), 22);
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(38), (ushort)bits);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(40), channels == 6 ? 0x3Fu : (1u << channels) - 1);

        // KSDATAFORMAT_SUBTYPE_PCM: 00000001-0000-0010-8000-00AA00389B71.
        new Guid("00000001-0000-0010-8000-00aa00389b71").TryWriteBytes(header.AsSpan(44));
        "data"u8.CopyTo(header.AsSpan(60));
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(64), (uint)data.Length);
        using var file = File.Create(path);
        file.Write(header);
        file.Write(data);
    }
}
