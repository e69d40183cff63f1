namespace Muesli.Audio;

/// <summary>
/// The newest audio of a stream in memory (16 kHz mono s16), addressed by the same byte offsets as its
/// <see cref="PcmLog"/>, so a live pass reads its context without touching the disk.
/// </summary>
public sealed class AudioRing
{
    private const int BytesPerSample = 2;

    private readonly short[] samples;
    private long startSample;
    private long endSample;

    /// <param name="capacityBytes">Bytes held at most; an odd count is rounded down to whole samples.</param>
    /// <param name="startByte">Offset of the first byte to be appended (frame-aligned).</param>
    public AudioRing(int capacityBytes, long startByte = 0)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacityBytes, BytesPerSample);
        samples = new short[capacityBytes / BytesPerSample];
        Reset(startByte);
    }

    public int CapacityBytes => samples.Length * BytesPerSample;

    /// <summary>Offset of the oldest byte held.</summary>
    public long Start => startSample * BytesPerSample;

    /// <summary>Offset one past the newest byte held; appends continue here.</summary>
    public long End => endSample * BytesPerSample;

    public void Append(ReadOnlySpan<short> newest)
    {
        if (newest.Length > samples.Length)
        {
            // Only the newest capacity's worth can stay; the rest would be overwritten at once.
            endSample += newest.Length - samples.Length;
            newest = newest[^samples.Length..];
        }

        while (!newest.IsEmpty)
        {
            var slot = (int)(endSample % samples.Length);
            var take = Math.Min(newest.Length, samples.Length - slot);
            newest[..take].CopyTo(samples.AsSpan(slot, take));
            endSample += take;
            newest = newest[take..];
        }

        startSample = Math.Max(startSample, endSample - samples.Length);
    }

    /// <summary>Forgets everything and restarts at <paramref name="startByte"/> (a reopened log).</summary>
    public void Reset(long startByte)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(startByte);
        if (startByte % BytesPerSample != 0)
        {
            throw new ArgumentOutOfRangeException(
                nameof(startByte),
                $"start {startByte} is not aligned to {BytesPerSample}-byte samples");
        }

        startSample = startByte / BytesPerSample;
        endSample = startSample;
    }

    /// <summary>Whether the ring holds all of [startByte, endByte).</summary>
    public bool Holds(long startByte, long endByte) =>
        startByte >= Start && endByte <= End && startByte <= endByte
        && startByte % BytesPerSample == 0 && endByte % BytesPerSample == 0;

    /// <summary>True, with the samples of [startByte, endByte) as floats, when the ring still holds all of it.</summary>
    public bool TryRead(long startByte, long endByte, Span<float> destination)
    {
        if (startByte > endByte || startByte % BytesPerSample != 0 || endByte % BytesPerSample != 0)
        {
            throw new ArgumentOutOfRangeException(
                nameof(startByte),
                $"range [{startByte}, {endByte}) is not an ordered range of whole {BytesPerSample}-byte samples");
        }

        if (!Holds(startByte, endByte))
        {
            return false;
        }

        var count = (int)((endByte - startByte) / BytesPerSample);
        if (destination.Length < count)
        {
            throw new ArgumentException(
                $"destination holds {destination.Length} samples; [{startByte}, {endByte}) needs {count}",
                nameof(destination));
        }

        var slot = (int)(startByte / BytesPerSample % samples.Length);
        var done = 0;
        while (done < count)
        {
            var take = Math.Min(count - done, samples.Length - slot);
            var source = samples.AsSpan(slot, take);
            for (var i = 0; i < take; i++)
            {
                destination[done + i] = source[i] / 32768f;
            }

            done += take;
            slot = 0;
        }

        return true;
    }
}
