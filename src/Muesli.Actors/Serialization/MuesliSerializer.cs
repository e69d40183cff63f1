using System.Runtime.Serialization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Akka.Actor;
using Akka.Serialization;
using Muesli.Actors.Finalize;
using Muesli.Actors.Streams;
using Muesli.Actors.Transcripts;

namespace Muesli.Actors.Serialization;

/// <summary>Marks what goes into the journal or the snapshot store: bound to <see cref="MuesliSerializer"/>.</summary>
public interface IMuesliPersisted;

/// <summary>
/// The journal's serializer: each persisted type has a short, stable manifest, and its payload is compact JSON.
/// Renaming or moving a type does not change what is stored; an unknown manifest fails loudly on replay.
/// </summary>
public sealed class MuesliSerializer(ExtendedActorSystem system) : SerializerWithStringManifest(system)
{
    public const int Id = 4711;

    // Manifests are part of the journal's format: never reuse or change one; add new ones.
    private static readonly (string Manifest, Type Type)[] Types =
    [
        ("st.open", typeof(StreamEvents.StreamOpened)),
        ("st.commit", typeof(StreamEvents.ChunkCommitted)),
        ("st.finalizing", typeof(StreamEvents.FinalizeStarted)),
        ("st.finalized", typeof(StreamEvents.StreamFinalized)),
        ("st.state", typeof(StreamState)),
        ("tr.open", typeof(TranscriptEvents.MeetingOpened)),
        ("tr.window", typeof(TranscriptEvents.WindowCommitted)),
        ("tr.final", typeof(TranscriptEvents.FinalTranscriptRecorded)),
        ("tr.stream-done", typeof(TranscriptEvents.StreamCompleted)),
        ("tr.done", typeof(TranscriptEvents.MeetingCompleted)),
        ("tr.speaker-map", typeof(TranscriptEvents.SpeakersMapped)),
        ("tr.state", typeof(TranscriptState)),
        ("fs.start", typeof(SagaEvents.SagaStarted)),
        ("fs.window", typeof(SagaEvents.WindowDone)),
        ("fs.published", typeof(SagaEvents.ResultPublished)),
        ("fs.retained", typeof(SagaEvents.Retained)),
        ("fs.done", typeof(SagaEvents.Completed)),
        ("fs.state", typeof(SagaState)),
    ];

    private static readonly Dictionary<Type, string> ManifestByType = Types.ToDictionary(t => t.Type, t => t.Manifest);
    private static readonly Dictionary<string, Type> TypeByManifest = Types.ToDictionary(t => t.Manifest, t => t.Type);

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Converters = { new JsonStringEnumConverter() },
    };

    public override int Identifier => Id;

    public static IReadOnlyCollection<Type> PersistedTypes => ManifestByType.Keys;

    public override string Manifest(object o)
        => ManifestByType.TryGetValue(o.GetType(), out var manifest)
            ? manifest
            : throw new ArgumentException($"{o.GetType().FullName} has no journal manifest; add it to {nameof(MuesliSerializer)}");

    public override byte[] ToBinary(object obj) => JsonSerializer.SerializeToUtf8Bytes(obj, obj.GetType(), Json);

    public override object FromBinary(byte[] bytes, string manifest)
        => TypeByManifest.TryGetValue(manifest, out var type)
            ? JsonSerializer.Deserialize(bytes, type, Json) ?? throw new SerializationException($"empty payload for manifest '{manifest}'")
            : throw new SerializationException($"unknown journal manifest '{manifest}'");

}
