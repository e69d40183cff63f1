namespace Muesli.Inference.Diarization;

/// <summary>
/// One window's local speaker activity, row-major [<see cref="Frames"/>, <see cref="Speakers"/>]. Local speaker k of
/// one window has nothing to do with local speaker k of another. Only frames whose centre lies inside the audio are
/// kept; frame i is frame <see cref="FirstFrame"/> + i of the grid that starts at sample 0.
/// </summary>
public sealed record WindowActivity(long StartSample, int FirstFrame, int Frames, int Speakers, bool[] Active)
{
    public bool IsActive(int frame, int speaker) => Active[(frame * Speakers) + speaker];

    /// <summary>How many local speakers are active in <paramref name="frame"/>.</summary>
    public int ActiveCount(int frame)
    {
        var count = 0;
        for (var s = 0; s < Speakers; s++)
        {
            count += Active[(frame * Speakers) + s] ? 1 : 0;
        }

        return count;
    }
}

/// <summary>
/// Local speaker activity over audio of any length: the model's windows slide by a step, the last one padded with
/// zeros; each frame's best powerset class makes its speakers active. Not thread-safe (one per pipeline).
/// </summary>
public sealed class PyannoteSegmentation(PyannoteSegmentationModel model) : IDisposable
{
    // Bounds the audio copied per run (8 × 10 s of floats = 5 MB) while still batching.
    private const int WindowsPerRun = 8;

    public PyannoteSegmentationModel Model { get; } = model;

    /// <summary>
    /// Where windows of <paramref name="window"/> samples start, every <paramref name="step"/> samples, over
    /// <paramref name="samples"/> samples: as many whole windows as fit, then one that runs past the end if audio is left.
    /// </summary>
    public static IReadOnlyList<long> WindowStarts(long samples, int window, int step)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(samples);
        ArgumentOutOfRangeException.ThrowIfLessThan(window, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(step, 1);
        if (samples == 0)
        {
            return [];
        }

        if (samples <= window)
        {
            return [0];
        }

        var whole = ((samples - window) / step) + 1;
        var starts = new List<long>();
        for (long w = 0; w < whole; w++)
        {
            starts.Add(w * step);
        }

        if ((samples - window) % step > 0)
        {
            starts.Add(whole * step);
        }

        return starts;
    }

    /// <summary>Each window's activity, in order; windows without a frame inside the audio are left out.</summary>
    public IReadOnlyList<WindowActivity> Segment(ReadOnlySpan<float> samples16k, int stepSamples)
    {
        var size = Model.WindowSamples;
        var starts = WindowStarts(samples16k.Length, size, stepSamples);
        var batch = Math.Min(WindowsPerRun, Model.MaxBatch);
        var buffer = new float[Math.Min(batch, starts.Count) * size];
        var windows = new List<WindowActivity>(starts.Count);
        for (var first = 0; first < starts.Count; first += batch)
        {
            var count = Math.Min(batch, starts.Count - first);
            var audio = count * size == buffer.Length ? buffer : new float[count * size];
            Array.Clear(audio);
            for (var w = 0; w < count; w++)
            {
                var start = (int)starts[first + w];
                var length = Math.Min(size, samples16k.Length - start);
                samples16k.Slice(start, length).CopyTo(audio.AsSpan(w * size, length));
            }

            var scores = Model.Run(audio, count);
            for (var w = 0; w < count; w++)
            {
                var start = starts[first + w];
                var inside = Model.Frames.FramesInside(start, scores.Frames, samples16k.Length);
                if (inside == 0)
                {
                    continue;
                }

                var active = Model.Powerset.Decode(scores.Window(w)[..(inside * scores.Classes)], inside);
                windows.Add(new WindowActivity(start, Model.Frames.FirstFrameOf(start), inside, Model.Powerset.Speakers, active));
            }
        }

        return windows;
    }

    public void Dispose() => Model.Dispose();
}
