using System.Buffers.Binary;
using Muesli.Core;

namespace Muesli.Audio;

/// <summary>When a <see cref="PcmLog"/> hands its buffered bytes to the OS, and when it makes them durable.</summary>
public sealed record PcmFlushPolicy
{
    /// <summary>Appends are buffered in the process up to this many bytes (default 1 s of 16 kHz mono).</summary>
    public int MaxBufferedBytes { get; init; } = 32000;

    /// <summary>Whether a buffer-full flush also fsyncs; an explicit <see cref="PcmLog.Flush"/> decides for itself.</summary>
    public bool FsyncOnBufferFlush { get; init; }
}

/// <summary>Bytes moved by a log since it was opened: what the benchmarks report.</summary>
/// <param name="BytesWritten">Bytes handed to the OS.</param>
/// <param name="BytesRead">Bytes read back from the file (reads served from the write buffer are not counted).</param>
/// <param name="Reads">Read calls made on the file.</param>
/// <param name="Fsyncs">Flushes to stable storage.</param>
public sealed record PcmLogCounters(long BytesWritten, long BytesRead, long Reads, long Fsyncs);

/// <summary>
/// The append-only PCM file of one stream in the ASR format (16 kHz mono s16le). Single writer. Reads are
/// frame-aligned ranges straight into <c>float</c> samples in [-1, 1); they see buffered bytes too.
/// Reopening an existing file continues it (a trailing partial frame is cut).
/// </summary>
public sealed class PcmLog : IDisposable
{
    private const int BytesPerSample = AudioFormat.BytesPerSample;
    private const int ReadChunkBytes = 64 * 1024;

    private readonly FileStream file;
    private readonly PcmFlushPolicy policy;
    private readonly byte[] buffer;
    private int buffered;
    private long bytesOnOs;
    private long bytesWritten;
    private long bytesRead;
    private long reads;
    private long fsyncs;
    private byte[] readScratch = [];
    private bool disposed;

    private PcmLog(FileStream file, string path, PcmFlushPolicy policy)
    {
        this.file = file;
        Path = path;
        this.policy = policy;
        buffer = new byte[policy.MaxBufferedBytes];
        bytesOnOs = file.Length;
        DurableLength = bytesOnOs;
    }

    public static PcmLog Open(string path, PcmFlushPolicy? policy = null)
    {
        policy ??= new PcmFlushPolicy();
        ArgumentOutOfRangeException.ThrowIfLessThan(policy.MaxBufferedBytes, BytesPerSample, nameof(policy));
        var fullPath = System.IO.Path.GetFullPath(path);
        var file = new FileStream(fullPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read, bufferSize: 0);
        if (file.Length % BytesPerSample != 0)
        {
            // A crash can leave half a sample at the end; the log continues from the last whole one.
            file.SetLength(file.Length - (file.Length % BytesPerSample));
        }

        file.Seek(0, SeekOrigin.End);
        return new PcmLog(file, fullPath, policy);
    }

    public string Path { get; }

    /// <summary>Bytes in the log, buffered ones included.</summary>
    public long Length => bytesOnOs + buffered;

    /// <summary>Bytes known to be on disk (fsynced).</summary>
    public long DurableLength { get; private set; }

    public PcmLogCounters Counters => new(bytesWritten, bytesRead, reads, fsyncs);

    public void Append(ReadOnlySpan<short> samples)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        while (!samples.IsEmpty)
        {
            var room = (buffer.Length - buffered) / BytesPerSample;
            var take = Math.Min(room, samples.Length);
            var target = buffer.AsSpan(buffered, take * BytesPerSample);
            for (var i = 0; i < take; i++)
            {
                BinaryPrimitives.WriteInt16LittleEndian(target[(i * BytesPerSample)..], samples[i]);
            }

            buffered += take * BytesPerSample;
            samples = samples[take..];
            FlushIfFull();
        }
    }

    public void AppendSilence(long samples)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        ArgumentOutOfRangeException.ThrowIfNegative(samples);
        while (samples > 0)
        {
            var room = (buffer.Length - buffered) / BytesPerSample;
            var take = (int)Math.Min(room, samples);
            buffer.AsSpan(buffered, take * BytesPerSample).Clear();
            buffered += take * BytesPerSample;
            samples -= take;
            FlushIfFull();
        }
    }

    /// <summary>Hands buffered bytes to the OS; with <paramref name="durable"/>, fsyncs them as well.</summary>
    public void Flush(bool durable)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        WriteBuffer();
        if (durable)
        {
            Sync();
        }
    }

    /// <summary>Reads [startByte, endByte) (both frame-aligned, within the log) as floats; returns samples read.</summary>
    public int Read(long startByte, long endByte, Span<float> destination)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        var samples = CheckRange(startByte, endByte);
        if (destination.Length < samples)
        {
            throw new ArgumentException(
                $"destination holds {destination.Length} samples; [{startByte}, {endByte}) needs {samples}",
                nameof(destination));
        }

        var fromFileEnd = Math.Min(endByte, bytesOnOs);
        var position = startByte;
        var written = 0;
        while (position < fromFileEnd)
        {
            var count = (int)Math.Min(ReadChunkBytes, fromFileEnd - position);
            if (readScratch.Length < count)
            {
                readScratch = new byte[ReadChunkBytes];
            }

            var chunk = readScratch.AsSpan(0, count);
            RandomAccess.Read(file.SafeFileHandle, chunk, position);
            reads++;
            bytesRead += count;
            written += ToFloats(chunk, destination[written..]);
            position += count;
        }

        if (position < endByte)
        {
            var offset = (int)(position - bytesOnOs);
            written += ToFloats(buffer.AsSpan(offset, (int)(endByte - position)), destination[written..]);
        }

        return written;
    }

    public float[] Read(long startByte, long endByte)
    {
        var samples = new float[CheckRange(startByte, endByte)];
        Read(startByte, endByte, samples);
        return samples;
    }

    /// <summary>Hands buffered bytes to the OS and closes the file; durability is <see cref="Flush"/>(true)'s job.</summary>
    public void Dispose()
    {
        if (disposed)
        {
            return;
        }

        WriteBuffer();
        file.Dispose();
        disposed = true;
    }

    /// <summary>Closes the file without writing what is buffered (its writer lost the stream to another).</summary>
    public void Abandon()
    {
        if (disposed)
        {
            return;
        }

        buffered = 0;
        file.Dispose();
        disposed = true;
    }

    private int CheckRange(long startByte, long endByte)
    {
        if (startByte < 0 || endByte > Length || startByte > endByte)
        {
            throw new ArgumentOutOfRangeException(
                nameof(startByte),
                $"range [{startByte}, {endByte}) is outside the log [0, {Length}) of {Path}");
        }

        if (startByte % BytesPerSample != 0 || endByte % BytesPerSample != 0)
        {
            throw new ArgumentOutOfRangeException(
                nameof(startByte),
                $"range [{startByte}, {endByte}) is not aligned to {BytesPerSample}-byte frames");
        }

        return checked((int)((endByte - startByte) / BytesPerSample));
    }

    private static int ToFloats(ReadOnlySpan<byte> pcm, Span<float> destination)
    {
        var samples = pcm.Length / BytesPerSample;
        for (var i = 0; i < samples; i++)
        {
            destination[i] = BinaryPrimitives.ReadInt16LittleEndian(pcm[(i * BytesPerSample)..]) / 32768f;
        }

        return samples;
    }

    private void FlushIfFull()
    {
        if (buffer.Length - buffered >= BytesPerSample)
        {
            return;
        }

        WriteBuffer();
        if (policy.FsyncOnBufferFlush)
        {
            Sync();
        }
    }

    private void Sync()
    {
        file.Flush(flushToDisk: true);
        fsyncs++;
        DurableLength = bytesOnOs;
    }

    private void WriteBuffer()
    {
        if (buffered == 0)
        {
            return;
        }

        file.Write(buffer, 0, buffered);
        bytesOnOs += buffered;
        bytesWritten += buffered;
        buffered = 0;
    }
}
