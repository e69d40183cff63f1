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
/// </summary>
public sealed class PtsAligner
{
    /// <summary>48 hours: no meeting's timestamp goes beyond it.</summary>
    public const long MaxPtsUs = 48L * 3600 * 1_000_000;

    public PtsAligner(AudioFormat source, long writeFrames = 0, double maxGapSeconds = 3600)
        => throw new NotImplementedException();

    public AudioFormat Source => throw new NotImplementedException();

    /// <summary>The next frame to be written, at the source rate.</summary>
    public long WriteFrames => throw new NotImplementedException();

    public long TotalDroppedFrames => throw new NotImplementedException();

    public long TotalSilenceFrames => throw new NotImplementedException();

    public long TotalTruncatedBytes => throw new NotImplementedException();

    /// <summary>Plans one payload and advances the write position past what is kept.</summary>
    public Alignment Align(long ptsUs, int payloadBytes) => throw new NotImplementedException();
}
