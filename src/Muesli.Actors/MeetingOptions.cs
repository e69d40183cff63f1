using Muesli.Audio;
using Muesli.Core.Merge;
using Muesli.Core.Protocol;
using Muesli.Core.Speakers;
using Muesli.Core.Windows;

namespace Muesli.Actors;

/// <summary>Every number and switch of a meeting's processing, with the original backend's defaults.</summary>
public sealed record MeetingOptions
{
    /// <summary>Where streams keep their files; <see cref="PerMeetingDirectories"/> adds a folder per meeting.</summary>
    public string OutputDirectory { get; init; } = ".";

    /// <summary>Cluster nodes host many meetings; the backend has one meeting per output folder.</summary>
    public bool PerMeetingDirectories { get; init; }

    public IReadOnlySet<StreamKind> Transcribed { get; init; } = new HashSet<StreamKind> { StreamKind.System };

    public WindowOptions Windows { get; init; } = new();

    public MergeOptions Merge { get; init; } = new();

    /// <summary>Seconds at the end of a live window that stay partial (<c>--finalize-lag</c>).</summary>
    public double FinalizeLagSeconds { get; init; } = 5;

    /// <summary>Live passes while the meeting runs (off with <c>--no-live</c>: only the final pass).</summary>
    public bool Live { get; init; } = true;

    /// <summary>Turns are labelled by stream (System / Microphone), no diarization (<c>--live-asr-only</c>).</summary>
    public bool LabelByStream { get; init; }

    public bool KeepPcm { get; init; }

    /// <summary>How window speakers are linked to meeting-wide speakers live.</summary>
    public SpeakerLinkOptions Linking { get; init; } = new();

    /// <summary>How the full-file pass groups the speakers of its windows (a stream longer than one finalize window).</summary>
    public ClusteringOptions FinalClustering { get; init; } = new();

    /// <summary>Segment events carry their words' timings (<c>--emit-words</c>).</summary>
    public bool EmitWords { get; init; }

    public RecorderOptions Recorder { get; init; } = new();

    /// <summary>The final pass publishes its progress per window (<see cref="Core.Protocol.MuesliEvents.PassProgress"/>); off for the app's protocol.</summary>
    public bool ReportPassProgress { get; init; }

    /// <summary>The engines the meeting's chunks run with (a meeting's <c>asr_model</c>, <c>diar_backend</c>, <c>language</c>).</summary>
    public EngineChoice Engines { get; init; } = EngineChoice.Default;

    /// <summary>
    /// A meeting with no client connected for this long is finalized as if it had sent STOP (<c>--abandon-after</c>);
    /// null: never (the backend, whose meeting ends with its stdin).
    /// </summary>
    public TimeSpan? AbandonAfter { get; init; }

    /// <summary>A persistent entity saves a snapshot after this many events.</summary>
    public int SnapshotEvery { get; init; } = 100;

    /// <summary>Attempts of one chunk before its stream reports it failed for good.</summary>
    public int MaxChunkAttempts { get; init; } = 3;

    public TimeSpan RetryBackoff { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How often a stream or a saga sends its unanswered chunk request again. The router ignores a request it holds,
    /// so this only matters when the router's node died with the queue: the new router hears every request again.
    /// </summary>
    public TimeSpan RequestResendInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The lag actually held back: never more than the context, or the words between the next window's start and
    /// this window's cutoff would be in no window at all.
    /// </summary>
    public double CommitLagSeconds => Math.Min(FinalizeLagSeconds, Windows.ContextSeconds);

    /// <summary>Where a meeting's files go; a meeting id never names a folder outside <see cref="OutputDirectory"/>.</summary>
    public string StreamDirectory(string meetingId)
    {
        if (!PerMeetingDirectories)
        {
            return OutputDirectory;
        }

        var root = Path.GetFullPath(OutputDirectory);
        var folder = Path.GetFullPath(Path.Combine(root, meetingId));
        if (Path.GetDirectoryName(folder) != root.TrimEnd(Path.DirectorySeparatorChar) || meetingId.Length == 0 || meetingId.All(c => c == '.'))
        {
            throw new ArgumentException($"meeting id '{meetingId}' does not name a folder inside {root}");
        }

        return folder;
    }
}
