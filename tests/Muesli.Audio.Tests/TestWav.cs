using System.Buffers.Binary;
using System.Text;

namespace Muesli.Audio.Tests;

/// <summary>How <see cref="TestWav"/> stores each sample.</summary>
public enum WavForm
{
    Unsigned8,
    Signed16,
    Signed24,
    Signed32,
    Float32,
    Float64,
}

/// <summary>WAV files of every form written byte by byte here, so the reader is checked against the format, not itself.</summary>
internal static class TestWav
{
    /// <summary>
    /// A WAV of <paramref name="interleaved"/> (values in [-1, 1]); <paramref name="extensible"/> writes the 40-byte
    /// WAVE_FORMAT_EXTENSIBLE fmt chunk, <paramref name="listChunk"/> puts a LIST chunk before the data, and
    /// <paramref name="dataSize"/> / <paramref name="riffSize"/> replace the sizes in the header.
    /// </summary>
    public static byte[] Encode(double[] interleaved, int channels, int rate, WavForm form, bool extensible = false,
        bool listChunk = false, uint? dataSize = null, uint? riffSize = null)
    {
        var width = Width(form);
        var data = new byte[interleaved.Length * width];
        for (var i = 0; i < interleaved.Length; i++)
        {
            WriteSample(data.AsSpan(i * width), form, interleaved[i]);
        }

        var fmt = new byte[extensible ? 40 : 16];
        var isFloat = form is WavForm.Float32 or WavForm.Float64;
        var tag = (ushort)(isFloat ? 3 : 1);
        BinaryPrimitives.WriteUInt16LittleEndian(fmt, extensible ? (ushort)0xFFFE : tag);
        BinaryPrimitives.WriteUInt16LittleEndian(fmt.AsSpan(2), (ushort)channels);
        BinaryPrimitives.WriteInt32LittleEndian(fmt.AsSpan(4), rate);
        BinaryPrimitives.WriteInt32LittleEndian(fmt.AsSpan(8), rate * channels * width);
        BinaryPrimitives.WriteUInt16LittleEndian(fmt.AsSpan(12), (ushort)(channels * width));
        BinaryPrimitives.WriteUInt16LittleEndian(fmt.AsSpan(14), (ushort)(width * 8));
        if (extensible)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(fmt.AsSpan(16), 22);
            BinaryPrimitives.WriteUInt16LittleEndian(fmt.AsSpan(18), (ushort)(width * 8));
            BinaryPrimitives.WriteUInt32LittleEndian(fmt.AsSpan(20), (1u << channels) - 1);
            BinaryPrimitives.WriteUInt16LittleEndian(fmt.AsSpan(24), tag);
            byte[] guidTail = [0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71];
            guidTail.CopyTo(fmt.AsSpan(26));
        }

        using var file = new MemoryStream();
        file.Write("RIFF"u8);
        file.Write(new byte[4]);
        file.Write("WAVE"u8);
        Chunk(file, "fmt ", fmt, (uint)fmt.Length);
        if (listChunk)
        {
            var info = Encoding.ASCII.GetBytes("INFOISFT\u0005\0\0\0muesl\0");
            Chunk(file, "LIST", info, (uint)info.Length);
        }

        Chunk(file, "data", data, dataSize ?? (uint)data.Length);
        var bytes = file.ToArray();
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(4), riffSize ?? (uint)(bytes.Length - 8));
        return bytes;
    }

    /// <summary>Interleaved frames of a <paramref name="hz"/> sine; channel c is scaled so that the channels average to the sine.</summary>
    public static double[] Tone(int rate, int channels, double hz, double amplitude, int frames)
    {
        var samples = new double[frames * channels];
        for (var f = 0; f < frames; f++)
        {
            var value = amplitude * Math.Sin(2 * Math.PI * hz * f / rate);
            for (var c = 0; c < channels; c++)
            {
                samples[(f * channels) + c] = value * 2.0 * (c + 1) / (channels + 1);
            }
        }

        return samples;
    }

    private static void Chunk(Stream file, string id, byte[] body, uint size)
    {
        Span<byte> header = stackalloc byte[8];
        Encoding.ASCII.GetBytes(id, header);
        BinaryPrimitives.WriteUInt32LittleEndian(header[4..], size);
        file.Write(header);
        file.Write(body);
        if ((body.Length & 1) != 0)
        {
            file.WriteByte(0);
        }
    }

    private static int Width(WavForm form) => form switch
    {
        WavForm.Unsigned8 => 1,
        WavForm.Signed16 => 2,
        WavForm.Signed24 => 3,
        WavForm.Signed32 or WavForm.Float32 => 4,
        _ => 8,
    };

    private static void WriteSample(Span<byte> target, WavForm form, double value)
    {
        switch (form)
        {
            case WavForm.Unsigned8:
                target[0] = (byte)Math.Clamp(Math.Round((value * 128) + 128), 0, 255);
                break;
            case WavForm.Signed16:
                BinaryPrimitives.WriteInt16LittleEndian(target, (short)Math.Clamp(Math.Round(value * 32768), short.MinValue, short.MaxValue));
                break;
            case WavForm.Signed24:
                var v24 = (int)Math.Clamp(Math.Round(value * 8388608), -8388608, 8388607);
                target[0] = (byte)v24;
                target[1] = (byte)(v24 >> 8);
                target[2] = (byte)(v24 >> 16);
                break;
            case WavForm.Signed32:
                BinaryPrimitives.WriteInt32LittleEndian(target, (int)Math.Clamp(Math.Round(value * 2147483648.0), int.MinValue, int.MaxValue));
                break;
            case WavForm.Float32:
                BinaryPrimitives.WriteSingleLittleEndian(target, (float)value);
                break;
            default:
                BinaryPrimitives.WriteDoubleLittleEndian(target, value);
                break;
        }
    }
}
