using System.CommandLine;
using System.Net;
using System.Runtime.InteropServices;
using System.Text.Json;
using Akka.Actor;
using Akka.Cluster;
using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Muesli.Actors.Hosting;
using Muesli.Actors.Sessions;
using Muesli.Host.Composition;
using Muesli.Host.Node;

namespace Muesli.Host.Cli;

/// <summary>
/// <c>muesli node</c>: a cluster member serving many meetings at once. Its roles (any combination): <c>ingest</c>
/// accepts meetings over TCP, <c>stream</c> hosts the sharded streams, aggregators and sagas, <c>inference</c> hosts
/// the workers of its device slots. One line on stdout says it is ready; everything else is logged on stderr.
/// </summary>
public static class NodeCommand
{
    public const string SqliteFile = "muesli-journal.db";

    /// <summary>The exit code of a node the cluster removed (downed): a supervisor should start a fresh one.</summary>
    public const int ExitDowned = 3;

    private static readonly OptionMaker Make = new(environment: true);
    private static readonly MeetingFlags Flags = new(Make);

    private static readonly Option<string> Roles = Make.Make("--roles", "Comma-separated roles: ingest, stream, inference", string.Join(",", NodeRoles.All));
    private static readonly Option<string> Hostname = Make.Make("--hostname", "Akka remoting host name (how other nodes reach this one)", "127.0.0.1");
    private static readonly Option<int> Port = Make.Make("--port", "Akka remoting port (0: any free port)", 4053);
    private static readonly Option<string?> SeedNodes = Make.Make<string?>("--seed-nodes", "Comma-separated host:port of the seed nodes (default: this node)", null);
    private static readonly Option<string> IngestHost = Make.Make("--ingest-host", "Address the ingest listener binds (0.0.0.0 opens it beyond loopback)", "127.0.0.1");
    private static readonly Option<int> IngestPort = Make.Make("--ingest-port", "TCP port for meetings (0: any free port)", 7700);
    private static readonly Option<DirectoryInfo> DataDir = Make.Make("--data-dir", "One folder per meeting (PCM logs, WAV archives); the SQLite journal without --journal", new DirectoryInfo("muesli-data"));
    private static readonly Option<string?> Journal = Make.Make<string?>("--journal", "PostgreSQL connection string (Npgsql syntax) for the journal, snapshots and sharding state (default: SQLite in the data dir, one node only)", null);
    private static readonly Option<string> Devices = Make.Make("--devices", "Inference slots: auto (cuda:0 when CUDA loads, else cpu), or a list such as cpu | cpu,cpu | cuda:0,cuda:1", "auto");
    private static readonly Option<int> MaxMeetings = Make.Make("--max-meetings", "Meetings connected at once; more are refused with node_full", 200);
    private static readonly Option<double> AbandonAfter = Make.Make("--abandon-after", "Minutes a meeting may stay without a connection before it is finalized", 30.0);
    private static readonly Option<int> MaxFrameBytes = Make.Make("--max-frame-bytes", "Largest frame payload accepted; a larger one closes the connection", 4 * 1024 * 1024);
    private static readonly Option<FileInfo?> Config = Make.Make<FileInfo?>("--config", "HOCON file for anything else (see cluster-config/)", null, text => new FileInfo(text));
    private static readonly Option<int> ManagementPort = Make.Make("--management-port", $"Akka.Management HTTP port on the remoting host: {ManagementHosting.AlivePath}, {ManagementHosting.ReadyPath}, cluster bootstrap (0: off)", 8558);
    private static readonly Option<int> HttpPort = Make.Make("--http-port", $"HTTP port on the remoting host for Prometheus metrics ({HttpEndpoint.MetricsPath}) and health ({HttpEndpoint.LivePath}, {HttpEndpoint.ReadyPath}: joined, engines loaded, journal reachable) (0: off)", 9464);
    private static readonly Option<string> Discovery = Make.Make("--discovery", $"How the node finds the cluster: none (--seed-nodes) | kubernetes (Cluster.Bootstrap over the Kubernetes API: pods labelled {ManagementHosting.PodLabelSelector}, container port named {ManagementHosting.PortName})", ManagementHosting.DiscoveryNone);

    public static Command Create(TextWriter stdout)
    {
        Discovery.AcceptOnlyFromAmong(ManagementHosting.DiscoveryNone, ManagementHosting.DiscoveryKubernetes);
        var command = new Command("node", "Serve many meetings over TCP as a cluster member (ingest, stream and inference roles)");
        foreach (var option in new Option[] { Roles, Hostname, Port, SeedNodes, IngestHost, IngestPort, DataDir, Journal, Devices, MaxMeetings, AbandonAfter, MaxFrameBytes, Config, ManagementPort, HttpPort, Discovery })
        {
            command.Options.Add(option);
        }

        foreach (var option in Flags.All)
        {
            command.Options.Add(option);
        }

        command.SetAction((parse, _) => RunAsync(parse, stdout));
        return command;
    }

    private static async Task<int> RunAsync(ParseResult parse, TextWriter stdout)
    {
        var verbose = parse.GetValue(Flags.Verbose);
        using var logs = NodeHost.CreateLogging(verbose);
        var log = logs.CreateLogger("Muesli.Node");
        if (Validate(parse) is { } usage)
        {
            await Console.Error.WriteLineAsync($"muesli node: {usage}");
            return Program.ExitUsage;
        }

        var roles = ParseList(parse.GetValue(Roles)!);
        var dataDir = parse.GetValue(DataDir)!.FullName;
        Directory.CreateDirectory(dataDir);
        var hostname = parse.GetValue(Hostname)!;
        var port = parse.GetValue(Port);
        var journal = parse.GetValue(Journal);
        var seeds = ParseList(parse.GetValue(SeedNodes) ?? "");
        var devices = ParseList(parse.GetValue(Devices)!);
        var extraHocon = parse.GetValue(Config) is { } config ? await File.ReadAllTextAsync(config.FullName) : null;
        var managementPort = parse.GetValue(ManagementPort);
        var httpPort = parse.GetValue(HttpPort);
        var bootstrap = parse.GetValue(Discovery) == ManagementHosting.DiscoveryKubernetes;

        var meeting = Flags.Meeting(parse) with
        {
            OutputDirectory = dataDir,
            PerMeetingDirectories = true,
            AbandonAfter = TimeSpan.FromMinutes(parse.GetValue(AbandonAfter)),
        };
        var inference = roles.Contains(NodeRoles.Inference);
        var engines = inference ? Engines.Resolve(Flags.Engines(parse, "auto", devices), logs) : null;
        var liveAsrOnly = parse.GetValue(Flags.LiveAsrOnly);
        meeting = meeting with
        {
            LabelByStream = liveAsrOnly || engines is { HasDiarization: false },
            // Stream nodes share the data dir: a stream taken over by another node must never be written here again.
            Recorder = meeting.Recorder with { Fenced = true },
        };

        var node = new MuesliNodeOptions
        {
            SqlitePath = Path.Combine(dataDir, SqliteFile),
            PostgresConnection = journal,
            Hostname = hostname,
            Port = port,
            Roles = roles,
            SeedNodes = seeds.Select(s => $"akka.tcp://muesli@{s}").ToArray(),
            Clustered = true,
            OperatorConsole = true,
            JoinSelf = !bootstrap,
            ExtraHocon = extraHocon,
            Meeting = meeting,
            Workers = engines?.Workers ?? [],
            RunLog = RunLogTo(logs.CreateLogger("Muesli.Runs")),
        };

        using var host = NodeHost.Build(node, verbose, akkaInfo: true, configure: akka =>
        {
            akka.WithManagement(hostname, managementPort);
            if (bootstrap)
            {
                akka.WithKubernetesBootstrap(node.SystemName);
            }
        });
        using var shutdown = new ShutdownSignal();
        await host.StartAsync();
        var system = host.Services.GetRequiredService<ActorSystem>();
        var registry = host.Services.GetRequiredService<ActorRegistry>();
        var cluster = Cluster.Get(system);
        using var http = StartHttp(system, hostname, httpPort, node.Workers.Select(w => w.Name).ToArray(), log);
        if (httpPort != 0 && http is null)
        {
            await StopAsync(host, log);
            return 1;
        }

        var up = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        cluster.RegisterOnMemberUp(() => up.TrySetResult());
        log.LogInformation("joining the cluster at {Seeds} as {Address}", bootstrap ? "the pods Kubernetes lists" : seeds.Count == 0 ? "itself" : string.Join(", ", seeds), cluster.SelfAddress);
        if (await Task.WhenAny(up.Task, shutdown.First) != up.Task)
        {
            await StopAsync(host, log);
            return 0;
        }

        IngestServer? ingest = null;
        if (roles.Contains(NodeRoles.Ingest))
        {
            var session = new SessionSettings
            {
                EmitMeters = parse.GetValue(Flags.EmitMeters),
                MaxPayloadBytes = parse.GetValue(MaxFrameBytes),
                TranscriptionUnavailable = engines?.Unavailable,
                AcceptsSettings = true,
                CheckSettings = engines?.CheckSettings,
                StopAtEndOfInput = false,
                CloseOnProtocolError = true,
                StartTimeout = TimeSpan.FromSeconds(10),
                NodeEvents = true,
                AsyncInput = true,
            };
            var regions = registry.Regions();
            ingest = new IngestServer(
                new IPEndPoint(IPAddress.Parse(ResolveAddress(parse.GetValue(IngestHost)!)), parse.GetValue(IngestPort)),
                new IngestSettings { MaxMeetings = parse.GetValue(MaxMeetings) },
                system,
                (input, output, done, name) => system.ActorOf(MeetingSession.Props(input, output, meeting, regions, session, done), name),
                logs.CreateLogger("Muesli.Ingest"));
            try
            {
                ingest.Start();
            }
            catch (System.Net.Sockets.SocketException e)
            {
                log.LogError("cannot listen for meetings on {Host}:{Port}: {Reason}", parse.GetValue(IngestHost), parse.GetValue(IngestPort), e.Message);
                await StopAsync(host, log);
                return 1;
            }
        }

        var ready = new NodeReady(
            "node_ready",
            cluster.SelfAddress.ToString(),
            ingest is null ? null : $"{ingest.LocalEndpoint.Address}:{ingest.LocalEndpoint.Port}",
            roles,
            node.Workers.Select(w => w.Name).ToArray(),
            managementPort == 0 ? null : managementPort,
            httpPort == 0 ? null : httpPort);
        await stdout.WriteLineAsync(JsonSerializer.Serialize(ready, ReadyJson));
        await stdout.FlushAsync();
        NodeReadiness.Get(system).ServeUntil(shutdown.First);
        log.LogInformation("node ready: {Address}, ingest {Ingest}, roles {Roles}, devices {Devices}", ready.Address, ready.Ingest ?? "off", string.Join(",", roles), string.Join(",", ready.Devices));

        if (await Task.WhenAny(shutdown.First, system.WhenTerminated) != shutdown.First)
        {
            // Downed by the split brain resolver (or removed by an operator): the others have taken over this node's
            // streams, so it must not touch them again. The actor system is gone; leave without draining anything.
            log.LogError("this node was removed from the cluster (downed); its meetings continue on the other nodes; exiting");
            ingest?.Abort();
            return ExitDowned;
        }

        log.LogInformation("stopping: no new meetings; clients are told node_stopping and may reconnect elsewhere");
        var drain = Task.Run(async () =>
        {
            if (ingest is not null)
            {
                await ingest.DrainAsync(TimeSpan.FromSeconds(8));
            }

            await StopAsync(host, log);
        });
        if (await Task.WhenAny(drain, shutdown.Second) != drain)
        {
            log.LogWarning("second signal: exiting at once");
            Environment.Exit(ShutdownSignal.ExitInterrupted);
        }

        log.LogInformation("node stopped");
        return 0;
    }

    private static Action<string> RunLogTo(ILogger runs) => line => runs.LogInformation("{RunLog}", line);

    private static readonly JsonSerializerOptions ReadyJson = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    /// <summary>The one line on stdout: <c>{"type":"node_ready","address":…,"ingest":…,"roles":[…],"devices":[…],"management_port":…,"http_port":…}</c>.</summary>
    private sealed record NodeReady(string Type, string Address, string? Ingest, IReadOnlyList<string> Roles, IReadOnlyList<string> Devices, int? ManagementPort, int? HttpPort);

    /// <summary>The metrics and health endpoint, from before the node joins (so that it answers 503 until then); null when off or when the port is taken.</summary>
    private static HttpEndpoint? StartHttp(ActorSystem system, string hostname, int port, IReadOnlyCollection<string> slots, ILogger log)
    {
        if (port == 0)
        {
            return null;
        }

        try
        {
            var endpoint = HttpEndpoint.Start(system, IPAddress.Parse(ResolveAddress(hostname)), port, slots);
            log.LogInformation("metrics and health on http://{Host}:{Port}{Metrics}", hostname, port, HttpEndpoint.MetricsPath);
            return endpoint;
        }
        catch (InvalidOperationException e)
        {
            log.LogError("{Reason}", e.Message);
            return null;
        }
    }

    private static async Task StopAsync(IHost host, ILogger log)
    {
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        try
        {
            await host.StopAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            log.LogWarning("the actor system did not stop within 15 s");
        }
    }

    /// <summary>What no single option can check: the roles, the seed nodes with an SQLite journal, the config file.</summary>
    private static string? Validate(ParseResult parse)
    {
        var roles = ParseList(parse.GetValue(Roles)!);
        if (roles.Count == 0 || roles.Any(r => !NodeRoles.All.Contains(r)))
        {
            return $"--roles '{parse.GetValue(Roles)}': each role must be one of {string.Join(", ", NodeRoles.All)}";
        }

        foreach (var seed in ParseList(parse.GetValue(SeedNodes) ?? ""))
        {
            if (!TrySplitHostPort(seed, out _, out _))
            {
                return $"--seed-nodes: '{seed}' is not host:port";
            }
        }

        var self = $"{parse.GetValue(Hostname)}:{parse.GetValue(Port)}";
        var others = ParseList(parse.GetValue(SeedNodes) ?? "").Where(s => !string.Equals(s, self, StringComparison.OrdinalIgnoreCase)).ToArray();
        if (parse.GetValue(Journal) is null && others.Length > 0)
        {
            return $"--seed-nodes {string.Join(",", others)}: SQLite serves one node only; give the cluster a shared PostgreSQL journal with --journal";
        }

        if (parse.GetValue(Discovery) == ManagementHosting.DiscoveryKubernetes && parse.GetValue(SeedNodes) is not null)
        {
            return "--discovery kubernetes finds the seed nodes itself: drop --seed-nodes";
        }

        if (parse.GetValue(Discovery) == ManagementHosting.DiscoveryKubernetes && parse.GetValue(ManagementPort) == 0)
        {
            return "--discovery kubernetes needs --management-port (the other pods probe it)";
        }

        if (parse.GetValue(ManagementPort) is < 0 or > 65535)
        {
            return "--management-port must be 0 (off) or a TCP port";
        }

        if (parse.GetValue(HttpPort) is < 0 or > 65535)
        {
            return "--http-port must be 0 (off) or a TCP port";
        }

        if (parse.GetValue(Config) is { Exists: false } missing)
        {
            return $"--config {missing.FullName}: no such file";
        }

        if (parse.GetValue(MaxMeetings) < 1)
        {
            return "--max-meetings must be at least 1";
        }

        if (ParseList(parse.GetValue(Devices)!) is { Count: 0 })
        {
            return "--devices needs at least one slot (cpu, cuda:N, or auto)";
        }

        foreach (var device in ParseList(parse.GetValue(Devices)!))
        {
            try
            {
                Engines.ParseDevice(device, 0);
            }
            catch (ArgumentException)
            {
                return $"--devices: '{device}' is not one of auto, cpu, cuda, cuda:N";
            }
        }

        return null;
    }

    private static List<string> ParseList(string text)
        => text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();

    private static bool TrySplitHostPort(string text, out string host, out int port)
    {
        var colon = text.LastIndexOf(':');
        host = colon > 0 ? text[..colon] : "";
        port = 0;
        return colon > 0 && int.TryParse(text[(colon + 1)..], out port) && port is > 0 and < 65536;
    }

    private static string ResolveAddress(string host)
        => IPAddress.TryParse(host, out _) ? host
            : host == "localhost" ? "127.0.0.1"
            : Dns.GetHostAddresses(host).First(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork).ToString();
}

/// <summary>
/// SIGTERM and SIGINT: the first drains the node (<see cref="First"/>), a second one exits at once
/// (<see cref="Second"/>, exit code 130).
/// </summary>
public sealed class ShutdownSignal : IDisposable
{
    public const int ExitInterrupted = 130;

    private readonly TaskCompletionSource _first = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _second = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly PosixSignalRegistration _term;
    private readonly PosixSignalRegistration _int;
    private int _count;

    public ShutdownSignal()
    {
        _term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
        _int = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
    }

    public Task First => _first.Task;

    public Task Second => _second.Task;

    public void Dispose()
    {
        _term.Dispose();
        _int.Dispose();
    }

    private void OnSignal(PosixSignalContext context)
    {
        context.Cancel = true;
        if (Interlocked.Increment(ref _count) == 1)
        {
            _first.TrySetResult();
        }
        else
        {
            _second.TrySetResult();
        }
    }
}
