using Akka.Cluster.Sharding;

namespace Muesli.Actors.Sharding;

/// <summary>Routes <see cref="IWithStreamId"/> messages to stream-keyed entities.</summary>
public sealed class StreamMessageExtractor(int maxShards = StreamMessageExtractor.DefaultShards)
    : HashCodeMessageExtractor(maxShards)
{
    public const int DefaultShards = 100;

    public override string? EntityId(object message) => message switch
    {
        IWithStreamId m => m.StreamId,
        _ => null,
    };
}

/// <summary>Routes <see cref="IWithMeetingId"/> messages to meeting-keyed entities.</summary>
public sealed class MeetingMessageExtractor(int maxShards = StreamMessageExtractor.DefaultShards)
    : HashCodeMessageExtractor(maxShards)
{
    public override string? EntityId(object message) => message switch
    {
        IWithMeetingId m => m.MeetingId,
        _ => null,
    };
}
