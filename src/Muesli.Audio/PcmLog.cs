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
public sealed record PcmLogCounters(long BytesWritten, long BytesRead, long Reads, long Fsyncs);

/// <summary>
/// The append-only PCM file of one stream in the ASR format (16 kHz mono s16le). Single writer. Reads are
/// frame-aligned ranges straight into <c>float</c> samples in [-1, 1); they see buffered bytes too.
/// Reopening an existing file continues it (a trailing partial frame is cut).
/// </summary>
public sealed class PcmLog : IDisposable
{
    public static PcmLog Open(string path, PcmFlushPolicy? policy = null) => throw new NotImplementedException();

    public string Path => throw new NotImplementedException();

    /// <summary>Bytes in the log, buffered ones included.</summary>
    public long Length => throw new NotImplementedException();

    /// <summary>Bytes known to be on disk (fsynced).</summary>
    public long DurableLength => throw new NotImplementedException();

    public PcmLogCounters Counters => throw new NotImplementedException();

    public void Append(ReadOnlySpan<short> samples) => throw new NotImplementedException();

    public void AppendSilence(long samples) => throw new NotImplementedException();

    /// <summary>Hands buffered bytes to the OS; with <paramref name="durable"/>, fsyncs them as well.</summary>
    public void Flush(bool durable) => throw new NotImplementedException();

    /// <summary>Reads [startByte, endByte) (both frame-aligned, within the log) as floats; returns samples read.</summary>
    public int Read(long startByte, long endByte, Span<float> destination) => throw new NotImplementedException();

    public float[] Read(long startByte, long endByte) => throw new NotImplementedException();

    public void Dispose() => throw new NotImplementedException();
}
