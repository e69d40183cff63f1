using System.Globalization;
using Muesli.Core;

namespace Muesli.Audio;

/// <summary>What to do with one AUDIO payload: silence to insert first, then the slice of the payload to keep.</summary>
public readonly record struct Alignment(
    long SilenceFrames,
    int KeepOffset,
    int KeepLength,
    long DroppedFrames,
    int TruncatedBytes,
    string? Rejection);

/// <summary>
/// The spec's PTS alignment of one stream at its source rate: start_sample = round(pts_us · rate / 1e6), negative
/// → 0; ahead of the write position → silence fills the gap; behind → the overlapping frames are dropped (all of
/// them when the whole payload is behind); a payload that is not whole frames is truncated. A gap longer than
/// <c>maxGapSeconds</c> or a PTS beyond <see cref="MaxPtsUs"/> is rejected (payload dropped, position unchanged),
/// so one absurd timestamp cannot write hours of silence. Re-sent audio is therefore idempotent.
/// A payload with no whole frame keeps nothing and fills no gap: silence is only written in front of audio.
/// </summary>
public sealed class PtsAligner
{
    /// <summary>48 hours: no meeting's timestamp goes beyond it.</summary>
    public const long MaxPtsUs = 48L * 3600 * 1_000_000;

    private const long MicrosecondsPerSecond = 1_000_000;

    private readonly double maxGapSeconds;

    public PtsAligner(AudioFormat source, long writeFrames = 0, double maxGapSeconds = 3600)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(source.SampleRate, 1, nameof(source));
        ArgumentOutOfRangeException.ThrowIfLessThan(source.Channels, 1, nameof(source));
        ArgumentOutOfRangeException.ThrowIfNegative(writeFrames);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxGapSeconds);
        Source = source;
        WriteFrames = writeFrames;
        this.maxGapSeconds = maxGapSeconds;
    }

    public AudioFormat Source { get; }

    /// <summary>The next frame to be written, at the source rate.</summary>
    public long WriteFrames { get; private set; }

    public long TotalDroppedFrames { get; private set; }

    public long TotalSilenceFrames { get; private set; }

    public long TotalTruncatedBytes { get; private set; }

    /// <summary>Payloads refused for an absurd PTS or a too-large gap.</summary>
    public long TotalRejections { get; private set; }

    /// <summary>The frame a PTS stands for: round(pts_us · rate / 1e6), half away from zero; negative → 0.</summary>
    public long FrameAt(long ptsUs)
    {
        if (ptsUs <= 0)
        {
            return 0;
        }

        // Exact integer rounding; pts is bounded by MaxPtsUs before it gets here, so the product cannot overflow.
        return ((ptsUs * Source.SampleRate) + (MicrosecondsPerSecond / 2)) / MicrosecondsPerSecond;
    }

    /// <summary>Plans one payload and advances the write position past what is kept.</summary>
    public Alignment Align(long ptsUs, int payloadBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(payloadBytes);
        if (ptsUs > MaxPtsUs)
        {
            TotalRejections++;
            return Rejected(string.Create(
                CultureInfo.InvariantCulture,
                $"invalid_pts: {ptsUs} us is beyond the {MaxPtsUs / 3_600_000_000L} h limit"));
        }

        var frameBytes = Source.BytesPerFrame;
        var frames = payloadBytes / frameBytes;
        var truncated = payloadBytes - (frames * frameBytes);
        var start = FrameAt(ptsUs);
        if (start > WriteFrames && frames > 0)
        {
            var gapSeconds = (double)(start - WriteFrames) / Source.SampleRate;
            if (gapSeconds > maxGapSeconds)
            {
                TotalRejections++;
                return Rejected(string.Create(
                    CultureInfo.InvariantCulture,
                    $"pts_gap_too_large: {gapSeconds:0.0} s ahead of the stream (limit {maxGapSeconds:0.###} s)"));
            }
        }

        TotalTruncatedBytes += truncated;
        if (frames == 0)
        {
            return new Alignment(0, 0, 0, 0, truncated, null);
        }

        var silence = Math.Max(0, start - WriteFrames);
        var dropped = (int)Math.Min(frames, Math.Max(0, WriteFrames - start));
        var kept = frames - dropped;
        WriteFrames += silence + kept;
        TotalSilenceFrames += silence;
        TotalDroppedFrames += dropped;
        return new Alignment(silence, dropped * frameBytes, kept * frameBytes, dropped, truncated, null);
    }

    private static Alignment Rejected(string reason) => new(0, 0, 0, 0, 0, reason);
}
