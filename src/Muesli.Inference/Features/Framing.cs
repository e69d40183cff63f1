using System.Numerics;
using System.Runtime.InteropServices;

namespace Muesli.Inference.Features;

/// <summary>Frames of a signal laid out as rows whose lanes are consecutive frames, the layout the FFTs take.</summary>
internal static class Framing
{
    /// <summary>
    /// rows[i][lane] = signal[(firstFrame + lane)·hop + i] for i &lt; rows.Length and lane &lt; frames; lanes past
    /// <paramref name="frames"/> are zero.
    /// </summary>
    public static void Gather(ReadOnlySpan<float> signal, int firstFrame, int frames, int hop, Span<Vector<float>> rows)
    {
        var lanes = Vector<float>.Count;
        if (frames < lanes)
        {
            rows.Clear();
        }

        var flat = MemoryMarshal.Cast<Vector<float>, float>(rows);
        var length = rows.Length;
        for (var lane = 0; lane < frames; lane++)
        {
            var frame = signal.Slice((firstFrame + lane) * hop, length);
            for (var i = 0; i < length; i++)
            {
                flat[(i * lanes) + lane] = frame[i];
            }
        }
    }

    /// <summary>Writes the first <paramref name="frames"/> lanes of <paramref name="values"/> to consecutive
    /// places of <paramref name="destination"/>.</summary>
    public static void Store(Vector<float> values, int frames, Span<float> destination)
    {
        if (frames == Vector<float>.Count)
        {
            values.CopyTo(destination);
            return;
        }

        for (var lane = 0; lane < frames; lane++)
        {
            destination[lane] = values[lane];
        }
    }
}
