namespace Muesli.Audio;

/// <summary>
/// The newest audio of a stream in memory (16 kHz mono s16), addressed by the same byte offsets as its
/// <see cref="PcmLog"/>, so a live pass reads its context without touching the disk.
/// </summary>
public sealed class AudioRing
{
    public AudioRing(int capacityBytes, long startByte = 0) => throw new NotImplementedException();

    /// <summary>Offset of the oldest byte held.</summary>
    public long Start => throw new NotImplementedException();

    /// <summary>Offset one past the newest byte held; appends continue here.</summary>
    public long End => throw new NotImplementedException();

    public void Append(ReadOnlySpan<short> samples) => throw new NotImplementedException();

    /// <summary>Forgets everything and restarts at <paramref name="startByte"/> (a reopened log).</summary>
    public void Reset(long startByte) => throw new NotImplementedException();

    /// <summary>True, with the samples of [startByte, endByte) as floats, when the ring still holds all of it.</summary>
    public bool TryRead(long startByte, long endByte, Span<float> destination) => throw new NotImplementedException();
}
