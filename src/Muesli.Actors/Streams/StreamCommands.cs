using Muesli.Actors.Sharding;
using Muesli.Audio;
using Muesli.Core;
using Muesli.Core.Protocol;

namespace Muesli.Actors.Streams;

public static class StreamCommands
{
    /// <summary>Creates the stream, or resumes it when its journal already holds it. Replies <see cref="StreamReady"/>.</summary>
    public sealed record OpenStream(
        string StreamId, string MeetingId, StreamKind Stream, AudioFormat Format, bool Transcribe, MeetingSettings? Settings = null)
        : IWithStreamId;

    /// <summary>
    /// <paramref name="ResumePtsUs"/>: the client PTS where the stream's durable recording ends; frames before it are
    /// dropped as already recorded.
    /// </summary>
    public sealed record StreamReady(string StreamId, long RecordedBytes, long LastProcessedByte, bool Resumed, long ResumePtsUs = 0);

    /// <summary>One AUDIO frame's payload. Replies <see cref="AudioAppended"/> once it is in the log (back-pressure).</summary>
    public sealed record AppendAudio(string StreamId, long PtsUs, byte[] Payload) : IWithStreamId;

    public sealed record AudioAppended(string StreamId, AppendOutcome Outcome);

    /// <summary>Stop: drain the live chunk in flight, then hand the stream to its <c>FinalizeSaga</c>.</summary>
    public sealed record StopStream(string StreamId) : IWithStreamId;

    public sealed record StopAccepted(string StreamId, long TotalBytes);

    /// <summary>A range of the stream's 16 kHz log, for the full-file pass. Replies <see cref="AudioRead"/>.</summary>
    public sealed record ReadAudio(string StreamId, long Start, long End) : IWithStreamId;

    public sealed record AudioRead(string StreamId, long Start, long End, float[] Samples);

    /// <summary>Retention at the end of finalize: close the files, keep or delete the PCM log.</summary>
    public sealed record CloseStream(string StreamId, bool KeepPcm) : IWithStreamId;

    public sealed record StreamClosed(string StreamId, long TotalBytes);

    public sealed record GetStreamStatus(string StreamId) : IWithStreamId;

    /// <summary>What an operator or a benchmark sees of a stream.</summary>
    public sealed record StreamStatus(
        string StreamId,
        StreamLifecycle Lifecycle,
        long RecordedBytes,
        long LastProcessedByte,
        long? ChunkInFlight,
        long ChunksCommitted,
        long DroppedFrames,
        PcmLogCounters? Disk,
        IReadOnlyList<double> PassSeconds);
}
