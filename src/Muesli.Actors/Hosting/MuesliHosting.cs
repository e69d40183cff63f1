using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Hosting;
using Akka.Hosting;
using Akka.Persistence.Sql;
using Microsoft.Data.Sqlite;
using Muesli.Actors.Finalize;
using Muesli.Actors.Inference;
using Muesli.Actors.Operations;
using Muesli.Actors.Serialization;
using Muesli.Actors.Sharding;
using Muesli.Actors.Streams;
using Muesli.Actors.Transcripts;

namespace Muesli.Actors.Hosting;

/// <summary>Registers the Muesli node with Akka.Hosting: the host reads as a table of contents.</summary>
public static class MuesliHosting
{
    public static AkkaConfigurationBuilder WithMuesli(this AkkaConfigurationBuilder builder, MuesliNodeOptions options)
    {
        builder
            .WithMuesliCluster(options)
            .WithPersistence(options)
            .AddHocon(JournalSerialization, HoconAddMode.Prepend)
            .WithInferencePool(options)
            .WithMuesliEntities(options)
            .WithOperations(options);
        if (options.ExtraHocon is { } extra)
        {
            // Added last with Prepend: the operator's file wins over everything above.
            builder.AddHocon(extra, HoconAddMode.Prepend);
        }

        return builder;
    }

    /// <summary>
    /// Everything persisted goes through <see cref="MuesliSerializer"/>, and every message that may cross nodes through
    /// <see cref="MuesliMessageSerializer"/>: never the default JSON serializer.
    /// </summary>
    public static readonly string JournalSerialization = $$"""
        akka.actor {
          serializers {
            muesli = "{{TypeName(typeof(MuesliSerializer))}}"
            muesli-messages = "{{TypeName(typeof(MuesliMessageSerializer))}}"
          }
          serialization-bindings {
            "{{TypeName(typeof(IMuesliPersisted))}}" = muesli
            "{{TypeName(typeof(IMuesliMessage))}}" = muesli-messages
            "{{TypeName(typeof(Core.Protocol.MuesliEvent))}}" = muesli-messages
          }
          serialization-identifiers {
            "{{TypeName(typeof(MuesliSerializer))}}" = {{MuesliSerializer.Id}}
            "{{TypeName(typeof(MuesliMessageSerializer))}}" = {{MuesliMessageSerializer.Id}}
          }
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
            akka.cluster.roles = [{{string.Join(", ", options.Roles.Select(r => $"\"{r}\""))}}]
            akka.cluster.seed-nodes = [{{string.Join(", ", options.SeedNodes.Select(a => $"\"{a}\""))}}]
            akka.cluster.sharding {
              state-store-mode = ddata
              # Entities hold open files and a chunk in flight; they passivate themselves when finalized.
              passivate-idle-entity-after = off
              # Remembering an entity is a journal write: when a hundred meetings open at once on a busy journal it can
              # take longer than the default 5 s, and a timeout restarts the whole shard.
              updating-state-timeout = 30 s
            }
            # Audio crosses nodes in pieces of under 100 KB; a long meeting's result event may be a few MB.
            akka.remote.dot-netty.tcp.maximum-frame-size = 4 MiB
            # Downing: Akka's split brain resolver keeps the side with the majority of nodes and downs the rest. A node
            # is suspected after 5 s without heartbeats (a GC pause or a model load must not get it downed), and the
            # decision waits 7 s of a stable view. cluster-config/ explains and tunes these per deployment.
            akka.cluster.downing-provider-class = "Akka.Cluster.SBR.SplitBrainResolverProvider, Akka.Cluster"
            akka.cluster.split-brain-resolver { active-strategy = keep-majority, stable-after = 7 s }
            akka.cluster.failure-detector { acceptable-heartbeat-pause = 5 s, threshold = 10.0 }
            akka.cluster.run-coordinated-shutdown-when-down = on
            akka.coordinated-shutdown.exit-clr = off
            akka.coordinated-shutdown.run-by-clr-shutdown-hook = off
            """,
            HoconAddMode.Prepend);
        if (options.JoinSelf && options.SeedNodes.Count == 0)
        {
            builder.AddStartup((system, _) =>
            {
                var cluster = Cluster.Get(system);
                cluster.Join(cluster.SelfAddress);
            });
        }

        return builder;
    }

    private static AkkaConfigurationBuilder WithPersistence(this AkkaConfigurationBuilder builder, MuesliNodeOptions options)
        => builder
            .AddHocon(options.PostgresConnection is { } postgres ? PostgresJournal(postgres) : SqliteJournal(options.SqlitePath), HoconAddMode.Prepend)
            .AddHocon(SqlPersistence.DefaultConfiguration, HoconAddMode.Append);

    /// <summary>
    /// The journal and snapshot store on PostgreSQL, through Akka.Persistence.Sql (linq2db's PostgreSQL dialect). The
    /// tables are created on first start.
    /// </summary>
    public static string PostgresJournal(string connection)
    {
        var quoted = connection.Replace("\\", "\\\\").Replace("\"", "\\\"");
        return $$"""
            akka.persistence {
              journal.plugin = "akka.persistence.journal.sql"
              journal.sql { connection-string = "{{quoted}}", provider-name = "PostgreSQL.15", auto-initialize = on }
              snapshot-store.plugin = "akka.persistence.snapshot-store.sql"
              snapshot-store.sql { connection-string = "{{quoted}}", provider-name = "PostgreSQL.15", auto-initialize = on }
              # While the database is down, calls fail fast; one is let through every 5 s, so the entities come back
              # within seconds of the database (the default waits 30 s).
              journal.sql.circuit-breaker { max-failures = 5, call-timeout = 10 s, reset-timeout = 5 s }
              snapshot-store.sql.circuit-breaker { max-failures = 5, call-timeout = 10 s, reset-timeout = 5 s }
            }
            """;
    }

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

    /// <summary>
    /// The work router and this node's workers. The backend's router is a local actor; a clustered node's is a cluster
    /// singleton on the inference role (one writer of the queue for the whole cluster), reached through its proxy.
    /// </summary>
    private static AkkaConfigurationBuilder WithInferencePool(this AkkaConfigurationBuilder builder, MuesliNodeOptions options)
    {
        var meeting = options.Meeting;
        var routerProps = WorkRouter.Props(meeting.MaxChunkAttempts, meeting.RetryBackoff);
        var inference = options.HasRole(NodeRoles.Inference);
        if (!options.Clustered)
        {
            builder.WithActors((system, registry) => registry.Register<WorkRouter>(system.ActorOf(routerProps, "work-router")));
        }
        else if (inference)
        {
            builder.WithSingleton<WorkRouter>("work-router", routerProps, new ClusterSingletonOptions { Role = NodeRoles.Inference, LogSingletonIdentificationFailure = false }, createProxyToo: true);
        }
        else
        {
            builder.WithSingletonProxy<WorkRouter>("work-router", new ClusterSingletonOptions { Role = NodeRoles.Inference, LogSingletonIdentificationFailure = false });
        }

        if (inference)
        {
            builder.WithActors((system, registry) =>
            {
                var router = registry.Get<WorkRouter>();
                foreach (var slot in options.Workers)
                {
                    system.ActorOf(InferenceWorker.Props(slot, router, runLog: options.RunLog), $"worker-{Uri.EscapeDataString(slot.Name).Replace('%', '_')}");
                }
            });
        }

        return builder;
    }

    /// <summary>
    /// The sharded entities, hosted on the stream role (a node without it reaches them through proxies). A clustered
    /// node remembers them in the journal, so a live meeting's entities restart after a crash.
    /// </summary>
    private static AkkaConfigurationBuilder WithMuesliEntities(this AkkaConfigurationBuilder builder, MuesliNodeOptions options)
    {
        var meeting = options.Meeting;
        var role = options.Clustered ? NodeRoles.Stream : null;
        if (!options.HasRole(NodeRoles.Stream))
        {
            return builder
                .WithShardRegionProxy<TranscriptAggregator>("transcript", NodeRoles.Stream, new MeetingMessageExtractor())
                .WithShardRegionProxy<StreamActor>("stream", NodeRoles.Stream, new StreamMessageExtractor())
                .WithShardRegionProxy<FinalizeSaga>("finalize", NodeRoles.Stream, new StreamMessageExtractor());
        }

        var shardOptions = new ShardOptions
        {
            Role = role,
            RememberEntities = options.Clustered,
            RememberEntitiesStore = Akka.Cluster.Sharding.RememberEntitiesStore.Eventsourced,
        };
        return builder
            .WithShardRegion<TranscriptAggregator>(
                "transcript",
                (_, registry, _) => meetingId => TranscriptAggregator.Props(meetingId, meeting, registry.Get<StreamActor>()),
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
