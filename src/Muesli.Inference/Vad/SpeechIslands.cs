namespace Muesli.Inference.Vad;

/// <summary>How a window's speech becomes the islands ASR transcribes (the usual "VAD cut and merge" of long-form ASR).</summary>
public sealed record SpeechIslandOptions
{
    public static readonly SpeechIslandOptions Default = new();

    /// <summary>Audio kept each side of detected speech, so a word's soft onset and decay reach the recogniser.</summary>
    public double PadSeconds { get; init; } = 0.4;

    /// <summary>Neighbouring islands at most this far apart (after padding) are transcribed as one, keeping context.</summary>
    public double MaxMergeGapSeconds { get; init; } = 2;

    /// <summary>Merging stops at this length; a single stretch of speech longer than it stays one island.</summary>
    public double MaxIslandSeconds { get; init; } = 60;

    /// <summary>Throws naming the first setting out of range.</summary>
    public void Validate()
    {
        SettingChecks.RequireSeconds(PadSeconds, nameof(PadSeconds));
        SettingChecks.RequireSeconds(MaxMergeGapSeconds, nameof(MaxMergeGapSeconds));
        if (!(MaxIslandSeconds > 0) || double.IsInfinity(MaxIslandSeconds))
        {
            throw new ArgumentOutOfRangeException(nameof(MaxIslandSeconds), MaxIslandSeconds, "the longest island must be a positive number of seconds");
        }
    }
}

/// <summary>
/// Detected speech → the islands of a window that ASR sees: each region padded by <see cref="SpeechIslandOptions.PadSeconds"/>
/// (within the window), then neighbours merged while the gap between them is at most
/// <see cref="SpeechIslandOptions.MaxMergeGapSeconds"/> and the merged island stays within
/// <see cref="SpeechIslandOptions.MaxIslandSeconds"/>. Islands never overlap: where two padded regions meet but may not
/// merge, they are cut halfway between the speech they pad, so no audio is transcribed twice. Pure.
/// </summary>
public static class SpeechIslands
{
    public static IReadOnlyList<SpeechRegion> Plan(IReadOnlyList<SpeechRegion> speech, double durationSeconds, SpeechIslandOptions options)
    {
        ArgumentNullException.ThrowIfNull(speech);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var islands = new List<SpeechRegion>();
        var lastSpeechEnd = 0.0;
        foreach (var region in speech.Where(r => r.End > r.Start && r.End > 0 && r.Start < durationSeconds).OrderBy(r => r.Start))
        {
            var padded = new SpeechRegion(Math.Max(0, region.Start - options.PadSeconds), Math.Min(durationSeconds, region.End + options.PadSeconds));
            if (islands.Count == 0)
            {
                islands.Add(padded);
                lastSpeechEnd = region.End;
                continue;
            }

            var previous = islands[^1];
            if (padded.Start - previous.End <= options.MaxMergeGapSeconds && padded.End - previous.Start <= options.MaxIslandSeconds)
            {
                islands[^1] = previous with { End = Math.Max(previous.End, padded.End) };
            }
            else if (padded.Start < previous.End)
            {
                var cut = Math.Clamp((lastSpeechEnd + region.Start) / 2, previous.Start, padded.End);
                islands[^1] = previous with { End = cut };
                islands.Add(padded with { Start = cut });
            }
            else
            {
                islands.Add(padded);
            }

            lastSpeechEnd = Math.Max(lastSpeechEnd, region.End);
        }

        return islands.Where(i => i.End > i.Start).ToArray();
    }
}
