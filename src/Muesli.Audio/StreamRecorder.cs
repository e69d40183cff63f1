using System.Buffers.Binary;
using System.Runtime.InteropServices;
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

    /// <summary>
    /// Claim the stream's files with a <see cref="LogFence"/> and check the claim before every write: for stream
    /// nodes that share their data dir, where another node may take the stream over.
    /// </summary>
    public bool Fenced { get; init; }
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
/// Opening a directory that already holds the stream's files continues them: the aligner resumes a quarter second
/// before the log's end (converted to the source rate, see <see cref="WarmUpSeconds"/>), the re-heard audio only warms
/// the resampler up, and the archive is cut or padded to match.
/// </summary>
public sealed class StreamRecorder : IDisposable
{
    private readonly PtsAligner aligner;
    private readonly StreamingResampler resampler;
    private readonly AudioRing ring;
    private readonly WavAppender? archive;
    private readonly List<short> converted = [];
    private readonly LogFence? fence;
    private long discard;
    private bool closed;

    private StreamRecorder(
        AudioFormat source, PcmLog log, PtsAligner aligner, AudioRing ring, WavAppender? archive, long discard, LogFence? fence)
    {
        this.fence = fence;
        this.discard = discard;
        Source = source;
        Log = log;
        this.aligner = aligner;
        this.ring = ring;
        this.archive = archive;
        resampler = new StreamingResampler(source);
    }

    public static StreamRecorder Open(string directory, string streamName, AudioFormat source, RecorderOptions options)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(streamName);
        Directory.CreateDirectory(directory);
        var fence = options.Fenced ? LogFence.Claim(directory, streamName) : null;
        var log = PcmLog.Open(Path.Combine(directory, $"{streamName}.pcm"), options.Flush);
        WavAppender? archive = null;
        try
        {
            var asr = AudioFormat.Asr;
            var logSamples = log.Length / AudioFormat.BytesPerSample;

            // round(logSamples · rate / 16000), half away from zero, in exact integers.
            var writeFrames = ((logSamples * source.SampleRate) + (asr.SampleRate / 2)) / asr.SampleRate;
            var (resumeFrames, discard) = WarmUp(source, writeFrames, logSamples);
            var aligner = new PtsAligner(source, resumeFrames, options.MaxGapSeconds);
            var ringBytes = (int)asr.BytesOf(options.RingSeconds);
            var ring = new AudioRing(Math.Max(ringBytes, asr.BytesPerFrame), log.Length);
            if (options.KeepWav)
            {
                archive = WavAppender.Open(Path.Combine(directory, $"{streamName}.wav"), source);
                archive.SetLength(resumeFrames);
                archive.Flush();
            }

            return new StreamRecorder(source, log, aligner, ring, archive, discard, fence);
        }
        catch
        {
            archive?.Dispose();
            log.Dispose();
            throw;
        }
    }

    /// <summary>Source audio re-heard before the end of a reopened log, so that the resampler's filter is full again.</summary>
    public const double WarmUpSeconds = 0.25;

    /// <summary>
    /// Where a reopened stream asks its client to resend from, and how many resampled samples to discard before the log
    /// continues. A fresh resampler starting at the end of the log would lose the few milliseconds that the previous
    /// one still owed (its filter delay) and start from an empty filter: the audio after a restart would differ from
    /// an uninterrupted run's. Starting it <see cref="WarmUpSeconds"/> earlier, on a frame where both rates' clocks
    /// meet, and discarding its output up to the log's end reproduces exactly what the uninterrupted run recorded.
    /// At 16 kHz nothing is filtered and the stream resumes at the end of its log.
    /// </summary>
    private static (long ResumeFrames, long Discard) WarmUp(AudioFormat source, long writeFrames, long logSamples)
    {
        var asrRate = AudioFormat.Asr.SampleRate;
        if (logSamples == 0 || source.SampleRate == asrRate)
        {
            return (writeFrames, 0);
        }

        var period = source.SampleRate / (int)System.Numerics.BigInteger.GreatestCommonDivisor(source.SampleRate, asrRate);
        var warm = (long)Math.Ceiling(source.SampleRate * WarmUpSeconds);
        var start = Math.Max(0, (writeFrames - warm) / period * period);
        var startSamples = start * asrRate / source.SampleRate;
        return (start, Math.Max(0, logSamples - startSamples));
    }

    public AudioFormat Source { get; }

    public PcmLog Log { get; }

    public string PcmPath => Log.Path;

    public string? WavPath => archive?.Path;

    /// <summary>Bytes of 16 kHz audio recorded so far.</summary>
    public long Length => Log.Length;

    public long TotalDroppedFrames => aligner.TotalDroppedFrames;

    /// <summary>The aligner's write position: the next source frame expected.</summary>
    public long SourceFrames => aligner.WriteFrames;

    /// <summary>
    /// The client PTS (µs) of the next frame expected: a client that resends from here loses nothing, and what it
    /// resends before it is dropped as already recorded.
    /// </summary>
    public long ResumePtsUs => SourceFrames * 1_000_000 / Source.SampleRate;

    /// <summary>Aligns, archives, resamples and logs one AUDIO payload; <c>Rms</c> is that of the payload in [0, 1].</summary>
    public AppendOutcome Append(long ptsUs, ReadOnlySpan<byte> payload)
    {
        ObjectDisposedException.ThrowIf(closed, this);
        fence?.Check();
        var rms = Rms(payload);
        var plan = aligner.Align(ptsUs, payload.Length);
        if (plan.Rejection is not null)
        {
            return new AppendOutcome(0, 0, 0, plan.TruncatedBytes, plan.Rejection, rms);
        }

        var before = Log.Length;
        AppendSilence(plan.SilenceFrames);
        var kept = payload.Slice(plan.KeepOffset, plan.KeepLength);
        archive?.Append(kept);
        resampler.Process(kept, converted);
        Record();
        return new AppendOutcome(
            Log.Length - before, plan.SilenceFrames, plan.DroppedFrames, plan.TruncatedBytes, null, rms);
    }

    /// <summary>[startByte, endByte) of the 16 kHz log as floats: from the ring when it holds them, else from disk.</summary>
    public float[] Read(long startByte, long endByte)
    {
        ObjectDisposedException.ThrowIf(closed, this);
        if (!ring.Holds(startByte, endByte))
        {
            return Log.Read(startByte, endByte);
        }

        var samples = new float[(endByte - startByte) / AudioFormat.BytesPerSample];
        ring.TryRead(startByte, endByte, samples);
        return samples;
    }

    /// <summary>Whether a read of [startByte, endByte) would be served from memory.</summary>
    public bool InMemory(long startByte, long endByte) => ring.Holds(startByte, endByte);

    public void Flush(bool durable)
    {
        ObjectDisposedException.ThrowIf(closed, this);
        fence?.Check();
        archive?.Flush();
        Log.Flush(durable);
    }

    /// <summary>Closes the files and deletes the PCM log unless <paramref name="keepPcm"/> (retention at finalize).</summary>
    public void Close(bool keepPcm)
    {
        if (closed)
        {
            return;
        }

        closed = true;
        if (fence is not null && !fence.Holds())
        {
            // Taken over elsewhere: what is still buffered here is dropped, never written.
            archive?.Abandon();
            Log.Abandon();
            return;
        }

        archive?.Dispose();
        Log.Dispose();
        if (!keepPcm)
        {
            File.Delete(Log.Path);
            fence?.Release();
        }
    }

    /// <summary>Closes the files and keeps them all, so a reopened recorder continues the stream.</summary>
    public void Dispose() => Close(keepPcm: true);

    /// <summary>Root mean square of the payload's whole s16 samples, scaled to [0, 1]; 0 when there are none.</summary>
    public static double Rms(ReadOnlySpan<byte> payload)
    {
        var count = payload.Length / AudioFormat.BytesPerSample;
        if (count == 0)
        {
            return 0;
        }

        var sum = 0.0;
        for (var i = 0; i < count; i++)
        {
            double sample = BinaryPrimitives.ReadInt16LittleEndian(payload[(i * AudioFormat.BytesPerSample)..]);
            sum += sample * sample;
        }

        return Math.Sqrt(sum / count) / 32768.0;
    }

    private void AppendSilence(long frames)
    {
        archive?.AppendSilence(frames);

        // A second of source audio at a time keeps the conversion buffer small even for an hour-long gap.
        while (frames > 0)
        {
            var take = Math.Min(frames, Source.SampleRate);
            resampler.ProcessSilence(take, converted);
            Record();
            frames -= take;
        }
    }

    private void Record()
    {
        var samples = CollectionsMarshal.AsSpan(converted);
        if (discard > 0)
        {
            // Re-heard audio that the log already holds: it only warms the resampler up.
            var skip = (int)Math.Min(discard, samples.Length);
            discard -= skip;
            samples = samples[skip..];
        }

        Log.Append(samples);
        ring.Append(samples);
        converted.Clear();
    }
}
