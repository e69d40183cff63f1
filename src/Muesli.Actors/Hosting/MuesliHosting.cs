using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Hosting;
using Akka.Hosting;
using Akka.Persistence.Sql;
using Microsoft.Data.Sqlite;
using Muesli.Actors.Finalize;
using Muesli.Actors.Inference;
using Muesli.Actors.Serialization;
using Muesli.Actors.Sharding;
using Muesli.Actors.Streams;
using Muesli.Actors.Transcripts;

namespace Muesli.Actors.Hosting;

/// <summary>Registers the Muesli node with Akka.Hosting: the host reads as a table of contents.</summary>
public static class MuesliHosting
{
    public static AkkaConfigurationBuilder WithMuesli(this AkkaConfigurationBuilder builder, MuesliNodeOptions options)
        => builder
            .WithMuesliCluster(options)
            .WithSqlitePersistence(options.SqlitePath)
            .AddHocon(JournalSerialization, HoconAddMode.Prepend)
            .WithInferencePool(options)
            .WithMuesliEntities(options.Meeting);

    /// <summary>Everything persisted goes through <see cref="MuesliSerializer"/>, never the default JSON serializer.</summary>
    public static readonly string JournalSerialization = $$"""
        akka.actor {
          serializers.muesli = "{{TypeName(typeof(MuesliSerializer))}}"
          serialization-bindings { "{{TypeName(typeof(IMuesliPersisted))}}" = muesli }
          serialization-identifiers { "{{TypeName(typeof(MuesliSerializer))}}" = {{MuesliSerializer.Id}} }
        }
        """;

    private static string TypeName(Type type) => $"{type.FullName}, {type.Assembly.GetName().Name}";

    /// <summary>The regions and router of a started node.</summary>
    public static MuesliRegions Regions(this IActorRegistry registry) => new(
        registry.Get<StreamActor>(),
        registry.Get<TranscriptAggregator>(),
        registry.Get<FinalizeSaga>(),
        registry.Get<WorkRouter>());

    private static AkkaConfigurationBuilder WithMuesliCluster(this AkkaConfigurationBuilder builder, MuesliNodeOptions options)
    {
        builder.AddHocon(
            $$"""
            akka.actor.provider = cluster
            akka.remote.dot-netty.tcp { hostname = "{{options.Hostname}}", port = {{options.Port}} }
            akka.cluster.sharding {
              state-store-mode = ddata
              # Entities hold open files and a chunk in flight; they passivate themselves when finalized.
              passivate-idle-entity-after = off
            }
            akka.coordinated-shutdown.exit-clr = off
            akka.coordinated-shutdown.run-by-clr-shutdown-hook = off
            """,
            HoconAddMode.Prepend);
        if (options.JoinSelf)
        {
            builder.AddStartup((system, _) =>
            {
                var cluster = Cluster.Get(system);
                cluster.Join(cluster.SelfAddress);
            });
        }

        return builder;
    }

    private static AkkaConfigurationBuilder WithSqlitePersistence(this AkkaConfigurationBuilder builder, string path)
        => builder
            .AddHocon(SqliteJournal(path), HoconAddMode.Prepend)
            .AddHocon(SqlPersistence.DefaultConfiguration, HoconAddMode.Append);

    /// <summary>
    /// The journal and snapshot store on one SQLite file (created in WAL mode: readers never block the journal's
    /// writer, and a crash loses nothing that was committed).
    /// </summary>
    public static string SqliteJournal(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var connection = new SqliteConnectionStringBuilder { DataSource = path }.ToString();
        using (var db = new SqliteConnection(connection))
        {
            db.Open();
            using var pragma = db.CreateCommand();
            pragma.CommandText = "PRAGMA journal_mode=WAL;";
            pragma.ExecuteNonQuery();
        }

        return $$"""
            akka.persistence {
              journal.plugin = "akka.persistence.journal.sql"
              journal.sql { connection-string = "{{connection}}", provider-name = "SQLite.MS" }
              snapshot-store.plugin = "akka.persistence.snapshot-store.sql"
              snapshot-store.sql { connection-string = "{{connection}}", provider-name = "SQLite.MS" }
            }
            """;
    }

    private static AkkaConfigurationBuilder WithInferencePool(this AkkaConfigurationBuilder builder, MuesliNodeOptions options)
        => builder.WithActors((system, registry) =>
        {
            var meeting = options.Meeting;
            var router = system.ActorOf(WorkRouter.Props(meeting.MaxChunkAttempts, meeting.RetryBackoff), "work-router");
            registry.Register<WorkRouter>(router);
            foreach (var slot in options.Workers)
            {
                system.ActorOf(InferenceWorker.Props(slot, router), $"worker-{Uri.EscapeDataString(slot.Name).Replace('%', '_')}");
            }
        });

    private static AkkaConfigurationBuilder WithMuesliEntities(this AkkaConfigurationBuilder builder, MeetingOptions meeting)
    {
        var shardOptions = new ShardOptions();
        return builder
            .WithShardRegion<TranscriptAggregator>(
                "transcript",
                meetingId => TranscriptAggregator.Props(meetingId, meeting),
                new MeetingMessageExtractor(),
                shardOptions)
            .WithShardRegion<StreamActor>(
                "stream",
                (_, registry, _) => streamId => StreamActor.Props(
                    streamId, meeting, registry.Get<WorkRouter>(), registry.Get<TranscriptAggregator>(), registry.Get<FinalizeSaga>()),
                new StreamMessageExtractor(),
                shardOptions)
            .WithShardRegion<FinalizeSaga>(
                "finalize",
                (_, registry, _) => streamId => FinalizeSaga.Props(
                    streamId, meeting, registry.Get<WorkRouter>(), registry.Get<StreamActor>(), registry.Get<TranscriptAggregator>()),
                new StreamMessageExtractor(),
                shardOptions);
    }
}
