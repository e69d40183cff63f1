using Akka.Actor;

namespace Muesli.Actors;

/// <summary>The entry points of a node: the shard regions (or proxies) of the three entity types and the work router.</summary>
public sealed record MuesliRegions(IActorRef Streams, IActorRef Transcripts, IActorRef Sagas, IActorRef Router);
