namespace Muesli.Inference.Diarization;

/// <summary>
/// From windows of local speaker activity to meeting-wide speaker activity on the frame grid (sherpa-onnx's reference
/// pipeline): how many speakers talk per frame, which frames describe one speaker alone, and which speakers win a frame.
/// </summary>
public static class SpeakerActivity
{
    /// <summary>Frames of the grid that at least one window covers (the grid starts at sample 0).</summary>
    public static int FrameCount(IReadOnlyList<WindowActivity> windows) =>
        windows.Count == 0 ? 0 : windows.Max(w => w.FirstFrame + w.Frames);

    /// <summary>Per grid frame: the mean over the windows covering it of their active local speakers, rounded half up.</summary>
    public static int[] SpeakerCounts(IReadOnlyList<WindowActivity> windows, int frames)
    {
        var sums = new int[frames];
        var covers = new int[frames];
        foreach (var window in windows)
        {
            for (var i = 0; i < window.Frames && window.FirstFrame + i < frames; i++)
            {
                sums[window.FirstFrame + i] += window.ActiveCount(i);
                covers[window.FirstFrame + i]++;
            }
        }

        var counts = new int[frames];
        for (var g = 0; g < frames; g++)
        {
            counts[g] = covers[g] == 0 ? 0 : (int)Math.Floor(((double)sums[g] / covers[g]) + 0.5);
        }

        return counts;
    }

    /// <summary>The window's frames where <paramref name="speaker"/> talks and nobody else does: what its embedding hears.</summary>
    public static IReadOnlyList<int> SoloFrames(WindowActivity window, int speaker)
    {
        var frames = new List<int>();
        for (var i = 0; i < window.Frames; i++)
        {
            if (window.IsActive(i, speaker) && window.ActiveCount(i) == 1)
            {
                frames.Add(i);
            }
        }

        return frames;
    }

    /// <summary>
    /// The audio a local speaker's solo frames stand for (<see cref="SegmentationFrames"/>), as [start, end) sample ranges
    /// of the meeting: consecutive frames make one range; ranges are clipped to the audio.
    /// </summary>
    public static IReadOnlyList<(int Start, int End)> SoloSampleRanges(WindowActivity window, int speaker, SegmentationFrames frames, int audioSamples)
    {
        var solo = SoloFrames(window, speaker);
        var ranges = new List<(int Start, int End)>();
        for (var i = 0; i < solo.Count; i++)
        {
            var first = solo[i];
            while (i + 1 < solo.Count && solo[i + 1] == solo[i] + 1)
            {
                i++;
            }

            var start = (int)Math.Clamp(window.StartSample + frames.StartSample(first), 0, audioSamples);
            var end = (int)Math.Clamp(window.StartSample + frames.StartSample(solo[i] + 1), 0, audioSamples);
            if (end > start)
            {
                ranges.Add((start, end));
            }
        }

        return ranges;
    }

    /// <summary>
    /// Per grid frame and cluster, row-major [frames, clusters]: how many (window, local speaker) pairs of that cluster
    /// are active there. <paramref name="clusterOf"/> gives a pair's cluster, or −1 for a pair that was not clustered.
    /// </summary>
    public static int[] Aggregate(IReadOnlyList<WindowActivity> windows, Func<int, int, int> clusterOf, int clusters, int frames)
    {
        ArgumentNullException.ThrowIfNull(clusterOf);
        var votes = new int[frames * clusters];
        for (var w = 0; w < windows.Count; w++)
        {
            var window = windows[w];
            for (var s = 0; s < window.Speakers; s++)
            {
                var cluster = clusterOf(w, s);
                if (cluster < 0)
                {
                    continue;
                }

                for (var i = 0; i < window.Frames && window.FirstFrame + i < frames; i++)
                {
                    if (window.IsActive(i, s))
                    {
                        votes[((window.FirstFrame + i) * clusters) + cluster]++;
                    }
                }
            }
        }

        return votes;
    }

    /// <summary>
    /// Per frame, the <paramref name="counts"/>[frame] clusters with the most votes (ties: the lower index) among those
    /// with any, as row-major [frames, clusters].
    /// </summary>
    public static bool[] KeepTop(int[] votes, int clusters, int[] counts)
    {
        var frames = counts.Length;
        if (votes.Length != frames * clusters)
        {
            throw new ArgumentException($"{frames} frames of {clusters} clusters need {frames * clusters} votes, got {votes.Length}", nameof(votes));
        }

        var kept = new bool[votes.Length];
        for (var g = 0; g < frames; g++)
        {
            var row = votes.AsSpan(g * clusters, clusters);
            var keptRow = kept.AsSpan(g * clusters, clusters);
            for (var k = 0; k < counts[g]; k++)
            {
                var best = -1;
                for (var c = 0; c < clusters; c++)
                {
                    if (!keptRow[c] && row[c] > 0 && (best < 0 || row[c] > row[best]))
                    {
                        best = c;
                    }
                }

                if (best < 0)
                {
                    break;
                }

                keptRow[best] = true;
            }
        }

        return kept;
    }
}
