using System.Buffers.Binary;
using Muesli.Core;

namespace Muesli.TestWorld;

/// <summary>Writes canonical 44-byte-header PCM s16 WAV files (little-endian, as every .NET target here is).</summary>
public static class WavFile
{
    public const int HeaderBytes = 44;

    /// <summary>Streams the samples the writer hands over, then fixes the header's sizes.</summary>
    public static void Write(string path, AudioFormat format, Action<Action<ReadOnlySpan<short>>> produce)
    {
        using var file = File.Create(path);
        WriteHeader(file, format, 0);
        long bytes = 0;
        produce(block =>
        {
            file.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(block));
            bytes += (long)block.Length * AudioFormat.BytesPerSample;
        });
        file.Position = 0;
        WriteHeader(file, format, bytes);
    }

    private static void WriteHeader(Stream stream, AudioFormat format, long dataBytes)
    {
        if (dataBytes > uint.MaxValue - HeaderBytes)
        {
            throw new ArgumentException($"{dataBytes} bytes of audio do not fit in a WAV file");
        }

        Span<byte> header = stackalloc byte[HeaderBytes];
        "RIFF"u8.CopyTo(header);
        BinaryPrimitives.WriteUInt32LittleEndian(header[4..], (uint)(dataBytes + HeaderBytes - 8));
        "WAVE"u8.CopyTo(header[8..]);
        "fmt "u8.CopyTo(header[12..]);
        BinaryPrimitives.WriteUInt32LittleEndian(header[16..], 16);
        BinaryPrimitives.WriteUInt16LittleEndian(header[20..], 1);
        BinaryPrimitives.WriteUInt16LittleEndian(header[22..], (ushort)format.Channels);
        BinaryPrimitives.WriteUInt32LittleEndian(header[24..], (uint)format.SampleRate);
        BinaryPrimitives.WriteUInt32LittleEndian(header[28..], (uint)format.BytesPerSecond);
        BinaryPrimitives.WriteUInt16LittleEndian(header[32..], (ushort)format.BytesPerFrame);
        BinaryPrimitives.WriteUInt16LittleEndian(header[34..], 16);
        "data"u8.CopyTo(header[36..]);
        BinaryPrimitives.WriteUInt32LittleEndian(header[40..], (uint)dataBytes);
        stream.Write(header);
    }
}
