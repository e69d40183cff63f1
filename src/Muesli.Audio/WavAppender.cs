using System.Buffers.Binary;
using System.Text;
using Muesli.Core;

namespace Muesli.Audio;

/// <summary>
/// A PCM WAV file written incrementally (the <c>--keep-wav</c> capture archive, at the original rate). The header's
/// sizes are rewritten on <see cref="Flush"/> and dispose; reopening an existing file of the same format continues
/// it, and <see cref="SetLength"/> cuts or pads it to a given frame count.
/// <para>
/// The header is the canonical 44 bytes (RIFF, WAVE, a 16-byte <c>fmt </c> chunk, <c>data</c>). On reopen the data
/// length is taken from the file's size, not the header, so an archive whose header was not rewritten before a
/// crash still continues where its data ends. Sizes beyond 4 GiB are written as the largest value a header holds.
/// </para>
/// </summary>
public sealed class WavAppender : IDisposable
{
    public const int HeaderBytes = 44;

    private const ushort PcmFormatTag = 1;
    private const int SilenceChunkBytes = 64 * 1024;

    private readonly FileStream file;
    private bool disposed;

    private WavAppender(FileStream file, string path, AudioFormat format, long frames)
    {
        this.file = file;
        Path = path;
        Format = format;
        Frames = frames;
    }

    public static WavAppender Open(string path, AudioFormat format)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(format.SampleRate, 1, nameof(format));
        ArgumentOutOfRangeException.ThrowIfLessThan(format.Channels, 1, nameof(format));
        // Unbuffered: each append is one write, so a writer that lost its stream (Abandon) leaves nothing behind.
        var file = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read, bufferSize: 0);
        try
        {
            long frames = 0;
            if (file.Length == 0)
            {
                file.Write(Header(format));
            }
            else
            {
                CheckHeader(file, path, format);
                frames = (file.Length - HeaderBytes) / format.BytesPerFrame;
                file.SetLength(HeaderBytes + (frames * format.BytesPerFrame));
            }

            var appender = new WavAppender(file, System.IO.Path.GetFullPath(path), format, frames);
            appender.Flush();
            return appender;
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    public AudioFormat Format { get; }

    public long Frames { get; private set; }

    public string Path { get; }

    public void Append(ReadOnlySpan<byte> pcm)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        if (pcm.Length % Format.BytesPerFrame != 0)
        {
            throw new ArgumentException(
                $"{pcm.Length} bytes are not whole {Format.BytesPerFrame}-byte frames of {Format}",
                nameof(pcm));
        }

        file.Seek(0, SeekOrigin.End);
        file.Write(pcm);
        Frames += pcm.Length / Format.BytesPerFrame;
    }

    public void AppendSilence(long frames)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        ArgumentOutOfRangeException.ThrowIfNegative(frames);
        var chunk = new byte[(int)Math.Min(SilenceChunkBytes, frames * Format.BytesPerFrame)];
        file.Seek(0, SeekOrigin.End);
        var remaining = frames * Format.BytesPerFrame;
        while (remaining > 0)
        {
            var count = (int)Math.Min(chunk.Length, remaining);
            file.Write(chunk, 0, count);
            remaining -= count;
        }

        Frames += frames;
    }

    /// <summary>Cuts the data to <paramref name="frames"/>, or pads it with silence up to that count.</summary>
    public void SetLength(long frames)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        ArgumentOutOfRangeException.ThrowIfNegative(frames);
        file.Flush();
        file.SetLength(HeaderBytes + (frames * Format.BytesPerFrame));
        Frames = frames;
    }

    public void Flush()
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        var dataBytes = Frames * Format.BytesPerFrame;
        Span<byte> size = stackalloc byte[4];
        file.Seek(4, SeekOrigin.Begin);
        BinaryPrimitives.WriteUInt32LittleEndian(size, HeaderSize(dataBytes + HeaderBytes - 8));
        file.Write(size);
        file.Seek(40, SeekOrigin.Begin);
        BinaryPrimitives.WriteUInt32LittleEndian(size, HeaderSize(dataBytes));
        file.Write(size);
        file.Seek(0, SeekOrigin.End);
        file.Flush();
    }

    public void Dispose()
    {
        if (disposed)
        {
            return;
        }

        Flush();
        file.Dispose();
        disposed = true;
    }

    /// <summary>Closes the file without touching it again (its writer lost the stream to another).</summary>
    public void Abandon()
    {
        if (!disposed)
        {
            file.Dispose();
            disposed = true;
        }
    }

    private static uint HeaderSize(long bytes) => (uint)Math.Min(bytes, uint.MaxValue);

    private static byte[] Header(AudioFormat format)
    {
        var header = new byte[HeaderBytes];
        var span = header.AsSpan();
        Encoding.ASCII.GetBytes("RIFF", span);
        BinaryPrimitives.WriteUInt32LittleEndian(span[4..], HeaderBytes - 8);
        Encoding.ASCII.GetBytes("WAVE", span[8..]);
        Encoding.ASCII.GetBytes("fmt ", span[12..]);
        BinaryPrimitives.WriteUInt32LittleEndian(span[16..], 16);
        BinaryPrimitives.WriteUInt16LittleEndian(span[20..], PcmFormatTag);
        BinaryPrimitives.WriteUInt16LittleEndian(span[22..], (ushort)format.Channels);
        BinaryPrimitives.WriteUInt32LittleEndian(span[24..], (uint)format.SampleRate);
        BinaryPrimitives.WriteUInt32LittleEndian(span[28..], (uint)format.BytesPerSecond);
        BinaryPrimitives.WriteUInt16LittleEndian(span[32..], (ushort)format.BytesPerFrame);
        BinaryPrimitives.WriteUInt16LittleEndian(span[34..], AudioFormat.BytesPerSample * 8);
        Encoding.ASCII.GetBytes("data", span[36..]);
        return header;
    }

    private static void CheckHeader(FileStream file, string path, AudioFormat format)
    {
        var header = new byte[HeaderBytes];
        file.Seek(0, SeekOrigin.Begin);
        if (file.Length < HeaderBytes || file.Read(header) < HeaderBytes)
        {
            throw new InvalidDataException($"{path} is too short to be a WAV archive ({file.Length} bytes)");
        }

        var span = header.AsSpan();
        if (!span[..4].SequenceEqual("RIFF"u8) || !span[8..12].SequenceEqual("WAVE"u8)
            || !span[12..16].SequenceEqual("fmt "u8) || BinaryPrimitives.ReadUInt32LittleEndian(span[16..]) != 16
            || !span[36..40].SequenceEqual("data"u8))
        {
            throw new InvalidDataException($"{path} is not a canonical 44-byte-header PCM WAV archive");
        }

        var tag = BinaryPrimitives.ReadUInt16LittleEndian(span[20..]);
        var channels = BinaryPrimitives.ReadUInt16LittleEndian(span[22..]);
        var rate = BinaryPrimitives.ReadInt32LittleEndian(span[24..]);
        var bits = BinaryPrimitives.ReadUInt16LittleEndian(span[34..]);
        if (tag != PcmFormatTag || bits != AudioFormat.BytesPerSample * 8 || channels != format.Channels
            || rate != format.SampleRate)
        {
            throw new InvalidDataException(
                $"{path} holds {rate} Hz x{channels} {bits}-bit audio (format tag {tag}); cannot continue it as {format} 16-bit PCM");
        }
    }
}
