using Muesli.Core;

namespace Muesli.Audio;

public sealed record RecorderOptions
{
    /// <summary>Also write the original-rate capture archive <c>{stream}.wav</c> (<c>--keep-wav</c>).</summary>
    public bool KeepWav { get; init; }

    /// <summary>Seconds of the newest 16 kHz audio held in memory for live passes.</summary>
    public double RingSeconds { get; init; } = 180;

    public double MaxGapSeconds { get; init; } = 3600;

    public PcmFlushPolicy Flush { get; init; } = new();
}

/// <summary>What one AUDIO payload did to the stream.</summary>
public sealed record AppendOutcome(
    long PcmBytesAdded,
    long SilenceFrames,
    long DroppedFrames,
    int TruncatedBytes,
    string? Rejection,
    double Rms);

/// <summary>
/// One stream's capture: PTS alignment at the source rate, the optional original-rate WAV archive, resampling to
/// 16 kHz mono, the <see cref="PcmLog"/> <c>{stream}.pcm</c>, and the in-memory ring of its newest audio.
/// Opening a directory that already holds the stream's files continues them: the aligner resumes at the log's
/// length (converted to the source rate) and the archive is cut or padded to match.
/// </summary>
public sealed class StreamRecorder : IDisposable
{
    public static StreamRecorder Open(string directory, string streamName, AudioFormat source, RecorderOptions options)
        => throw new NotImplementedException();

    public AudioFormat Source => throw new NotImplementedException();

    public PcmLog Log => throw new NotImplementedException();

    public string PcmPath => throw new NotImplementedException();

    public string? WavPath => throw new NotImplementedException();

    /// <summary>Bytes of 16 kHz audio recorded so far.</summary>
    public long Length => throw new NotImplementedException();

    public long TotalDroppedFrames => throw new NotImplementedException();

    /// <summary>Aligns, archives, resamples and logs one AUDIO payload; <c>Rms</c> is that of the payload in [0, 1].</summary>
    public AppendOutcome Append(long ptsUs, ReadOnlySpan<byte> payload) => throw new NotImplementedException();

    /// <summary>[startByte, endByte) of the 16 kHz log as floats: from the ring when it holds them, else from disk.</summary>
    public float[] Read(long startByte, long endByte) => throw new NotImplementedException();

    /// <summary>Whether a read of [startByte, endByte) would be served from memory.</summary>
    public bool InMemory(long startByte, long endByte) => throw new NotImplementedException();

    public void Flush(bool durable) => throw new NotImplementedException();

    /// <summary>Closes the files and deletes the PCM log unless <paramref name="keepPcm"/> (retention at finalize).</summary>
    public void Close(bool keepPcm) => throw new NotImplementedException();

    public void Dispose() => throw new NotImplementedException();
}
