using System.Collections.Concurrent;
using System.Runtime.Serialization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Akka.Actor;
using Akka.Serialization;
using Muesli.Core.Protocol;

namespace Muesli.Actors.Serialization;

/// <summary>
/// Marks a message that may cross nodes: bound to <see cref="MuesliMessageSerializer"/>. Keep such messages small:
/// audio travels in pieces (<see cref="Inference.AudioPieces"/>), never as one large message.
/// </summary>
public interface IMuesliMessage;

/// <summary>
/// Serializes the messages nodes send each other (and the protocol's events a stream node publishes to an ingest
/// node): compact JSON with the type's full name as manifest. Actor references travel as their full paths and are
/// resolved on arrival; a property typed as an event's base type carries its concrete type. Only Muesli's own
/// message and event types are ever instantiated from a manifest.
/// </summary>
public sealed class MuesliMessageSerializer : SerializerWithStringManifest
{
    public const int Id = 4712;

    private static readonly ConcurrentDictionary<string, Type> TypeByManifest = new();
    private readonly JsonSerializerOptions _json;

    public MuesliMessageSerializer(ExtendedActorSystem system)
        : base(system)
    {
        _json = new JsonSerializerOptions
        {
            PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
            NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
            Converters = { new JsonStringEnumConverter(), new ActorRefConverter(system), new TaggedEventConverter() },
        };
    }

    public override int Identifier => Id;

    public override string Manifest(object o) => ManifestOf(o.GetType());

    public override byte[] ToBinary(object obj) => JsonSerializer.SerializeToUtf8Bytes(obj, obj.GetType(), _json);

    public override object FromBinary(byte[] bytes, string manifest)
        => JsonSerializer.Deserialize(bytes, Resolve(manifest), _json)
           ?? throw new SerializationException($"empty payload for message '{manifest}'");

    /// <summary>The manifest of a bound type: its full name, which both ends of a connection share.</summary>
    public static string ManifestOf(Type type) => type.FullName!;

    /// <summary>A manifest names a Muesli message or event type, or it is refused: a peer never chooses what gets built.</summary>
    public static Type Resolve(string manifest) => TypeByManifest.GetOrAdd(manifest, static name =>
    {
        foreach (var assembly in new[] { typeof(IMuesliMessage).Assembly, typeof(MuesliEvent).Assembly })
        {
            if (assembly.GetType(name) is { } type && (typeof(IMuesliMessage).IsAssignableFrom(type) || typeof(MuesliEvent).IsAssignableFrom(type)) && !type.IsAbstract)
            {
                return type;
            }
        }

        throw new SerializationException($"unknown message manifest '{name}': both nodes must run the same Muesli version");
    });

    /// <summary>An actor reference as its full path (with the sender's address), resolved by the receiving node.</summary>
    private sealed class ActorRefConverter(ExtendedActorSystem system) : JsonConverter<IActorRef>
    {
        public override bool CanConvert(Type typeToConvert) => typeof(IActorRef).IsAssignableFrom(typeToConvert);

        public override IActorRef? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
            => reader.GetString() is { Length: > 0 } path ? system.Provider.ResolveActorRef(path) : ActorRefs.Nobody;

        public override void Write(Utf8JsonWriter writer, IActorRef value, JsonSerializerOptions options)
            => writer.WriteStringValue(ReferenceEquals(value, ActorRefs.Nobody) ? "" : Akka.Serialization.Serialization.SerializedActorPath(value));
    }

    /// <summary>A property declared as <see cref="MuesliEvent"/> holds one of its records: written with its manifest.</summary>
    private sealed class TaggedEventConverter : JsonConverter<MuesliEvent>
    {
        public override bool CanConvert(Type typeToConvert) => typeToConvert == typeof(MuesliEvent);

        public override MuesliEvent? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            using var doc = JsonDocument.ParseValue(ref reader);
            var type = Resolve(doc.RootElement.GetProperty("t").GetString()!);
            return (MuesliEvent?)doc.RootElement.GetProperty("v").Deserialize(type, options);
        }

        public override void Write(Utf8JsonWriter writer, MuesliEvent value, JsonSerializerOptions options)
        {
            writer.WriteStartObject();
            writer.WriteString("t", ManifestOf(value.GetType()));
            writer.WritePropertyName("v");
            JsonSerializer.Serialize(writer, value, value.GetType(), options);
            writer.WriteEndObject();
        }
    }
}
