namespace Muesli.Core.Windows;

/// <summary>The numbers that decide when a stream is transcribed and over which bytes.</summary>
public sealed record WindowOptions
{
    /// <summary>New audio needed before a live pass (the original's <c>--live-interval</c>).</summary>
    public double LiveIntervalSeconds { get; init; } = 15;

    /// <summary>Stream duration needed before the first live pass (<c>--live-min-seconds</c>).</summary>
    public double LiveMinSeconds { get; init; } = 10;

    /// <summary>Already processed audio re-read before the new audio (<c>--context-seconds</c>).</summary>
    public double ContextSeconds { get; init; } = 30;

    /// <summary>The original O(T²) behaviour: every live pass reads from byte 0 (<c>--full-reprocess</c>).</summary>
    public bool FullReprocess { get; init; }

    /// <summary>The most new audio one live window takes; a backlog is worked off in several windows.</summary>
    public double MaxNewSecondsPerWindow { get; init; } = 120;

    /// <summary>Length of one finalize window; a longer stream is finalized in overlapping windows.</summary>
    public double FinalizeWindowSeconds { get; init; } = 600;
}

/// <summary>A byte range of a stream's PCM log and where its time zero lies on the meeting clock.</summary>
public readonly record struct Window(long ReadStart, long ReadEnd, double TimestampOffset, bool IsFinalize)
{
    public long Length => ReadEnd - ReadStart;
}

/// <summary>The seed's <c>_maybe_process</c>: which bytes a pass reads, as pure functions of the stream's state.</summary>
public static class WindowPlan
{
    /// <summary>
    /// The live window for a stream whose log holds <paramref name="snapshotBytes"/> bytes, or null when the
    /// gates (new audio ≥ live interval, duration ≥ live min seconds) are not met.
    /// read_start = align(max(0, lastProcessedByte − context)); timestamp offset = read_start / bytes per second;
    /// read_end = min(snapshot, lastProcessedByte + max new). Full reprocess reads [0, snapshot).
    /// </summary>
    public static Window? PlanLive(long snapshotBytes, long lastProcessedByte, AudioFormat format, WindowOptions options)
    {
        var snapshot = format.AlignDown(snapshotBytes);

        // A journal ahead of its log (a crash lost the log's tail) must not plan a negative window.
        var lastProcessed = Math.Min(format.AlignDown(lastProcessedByte), snapshot);
        var newBytes = snapshot - lastProcessed;
        if (newBytes <= 0
            || newBytes < format.BytesOf(options.LiveIntervalSeconds)
            || snapshot < format.BytesOf(options.LiveMinSeconds))
        {
            return null;
        }

        if (options.FullReprocess)
        {
            return new Window(0, snapshot, 0, IsFinalize: false);
        }

        var maxNew = format.BytesOf(options.MaxNewSecondsPerWindow);
        if (maxNew <= 0)
        {
            throw new ArgumentOutOfRangeException(
                nameof(options), $"MaxNewSecondsPerWindow {options.MaxNewSecondsPerWindow} is less than one frame");
        }

        var readStart = format.AlignDown(lastProcessed - format.BytesOf(options.ContextSeconds));
        var readEnd = lastProcessed + Math.Min(newBytes, maxNew);
        return new Window(readStart, readEnd, OffsetOf(readStart, format), IsFinalize: false);
    }

    /// <summary>The finalize pass as the spec states it: from byte 0, offset 0, to the snapshot's end.</summary>
    public static Window PlanFinalize(long snapshotBytes, AudioFormat format)
        => new(0, format.AlignDown(snapshotBytes), 0, IsFinalize: true);

    /// <summary>
    /// The finalize pass over a long stream: consecutive windows whose new parts tile [0, total) with
    /// at most <see cref="WindowOptions.FinalizeWindowSeconds"/> each, every window after the first
    /// starting <see cref="WindowOptions.ContextSeconds"/> before its new part. A stream no longer than
    /// one window gives exactly <see cref="PlanFinalize"/>.
    /// </summary>
    public static IReadOnlyList<Window> PlanFinalizeWindows(long totalBytes, AudioFormat format, WindowOptions options)
    {
        var total = format.AlignDown(totalBytes);
        var windowBytes = format.BytesOf(options.FinalizeWindowSeconds);
        if (windowBytes <= 0)
        {
            throw new ArgumentOutOfRangeException(
                nameof(options), $"FinalizeWindowSeconds {options.FinalizeWindowSeconds} is less than one frame");
        }

        var context = format.BytesOf(options.ContextSeconds);
        var windows = new List<Window>();
        for (long newStart = 0; newStart < total; newStart += windowBytes)
        {
            var readStart = format.AlignDown(newStart - context);
            var readEnd = Math.Min(total, newStart + windowBytes);
            windows.Add(new Window(readStart, readEnd, OffsetOf(readStart, format), IsFinalize: true));
        }

        return windows;
    }

    private static double OffsetOf(long readStart, AudioFormat format) => (double)readStart / format.BytesPerSecond;
}
