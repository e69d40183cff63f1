using Muesli.Actors.Serialization;
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
        : IWithStreamId, IMuesliMessage;

    /// <summary>
    /// <paramref name="ResumePtsUs"/>: the client PTS where the stream's durable recording ends; frames before it are
    /// dropped as already recorded.
    /// </summary>
    public sealed record StreamReady(string StreamId, long RecordedBytes, long LastProcessedByte, bool Resumed, long ResumePtsUs = 0) : IMuesliMessage;

    /// <summary>
    /// One AUDIO frame's payload. Replies <see cref="AudioAppended"/> once it is in the log (back-pressure). A payload
    /// larger than <see cref="PartBytes"/> is sent as parts (<see cref="Parts"/>): every part but the last has
    /// <paramref name="More"/> set, and only the last is acknowledged.
    /// </summary>
    public sealed record AppendAudio(string StreamId, long PtsUs, byte[] Payload, bool More = false) : IWithStreamId, IMuesliMessage
    {
        /// <summary>64 KiB: with its JSON envelope about 88 KB, below the remote frame size's default of 128 000 B.</summary>
        public const int PartBytes = 64 * 1024;

        public static IEnumerable<AppendAudio> Parts(string streamId, long ptsUs, byte[] payload)
        {
            if (payload.Length <= PartBytes)
            {
                yield return new AppendAudio(streamId, ptsUs, payload);
                yield break;
            }

            for (var offset = 0; offset < payload.Length; offset += PartBytes)
            {
                var count = Math.Min(PartBytes, payload.Length - offset);
                yield return new AppendAudio(streamId, ptsUs, payload.AsSpan(offset, count).ToArray(), More: offset + count < payload.Length);
            }
        }
    }

    public sealed record AudioAppended(string StreamId, AppendOutcome Outcome) : IMuesliMessage;

    /// <summary>Stop: drain the live chunk in flight, then hand the stream to its <c>FinalizeSaga</c>.</summary>
    public sealed record StopStream(string StreamId) : IWithStreamId, IMuesliMessage;

    public sealed record StopAccepted(string StreamId, long TotalBytes) : IMuesliMessage;

    /// <summary>Retention at the end of finalize: close the files, keep or delete the PCM log.</summary>
    public sealed record CloseStream(string StreamId, bool KeepPcm) : IWithStreamId, IMuesliMessage;

    public sealed record StreamClosed(string StreamId, long TotalBytes) : IMuesliMessage;

    public sealed record GetStreamStatus(string StreamId) : IWithStreamId, IMuesliMessage;

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
        IReadOnlyList<double> PassSeconds,
        string? MeetingId = null,
        bool Transcribed = true,
        long Retries = 0,
        long Errors = 0,
        string? LastError = null) : IMuesliMessage;
}
