using Muesli.Core.Protocol;

namespace Muesli.Actors.Sharding;

/// <summary>A message for one stream's entities (its <c>StreamActor</c> and its <c>FinalizeSaga</c>).</summary>
public interface IWithStreamId
{
    string StreamId { get; }
}

/// <summary>A message for one meeting's <c>TranscriptAggregator</c>.</summary>
public interface IWithMeetingId
{
    string MeetingId { get; }
}

/// <summary>How meetings and streams are named: a stream id is <c>{meeting}/{stream}</c>.</summary>
public static class EntityIds
{
    public static string StreamId(string meetingId, StreamKind stream) => $"{meetingId}/{stream.Name()}";

    public static (string MeetingId, StreamKind Stream) ParseStreamId(string streamId)
    {
        var slash = streamId.LastIndexOf('/');
        if (slash <= 0 || !StreamKinds.TryParse(streamId[(slash + 1)..], out var stream))
        {
            throw new ArgumentException($"not a stream id: '{streamId}' (expected '{{meeting}}/system' or '{{meeting}}/mic')");
        }

        return (streamId[..slash], stream);
    }

    /// <summary>A fresh meeting id: sortable by start time, unique enough across a cluster.</summary>
    public static string NewMeetingId(DateTimeOffset now)
        => $"m-{now:yyyyMMdd-HHmmss}-{Guid.NewGuid().ToString("N")[..8]}";
}
