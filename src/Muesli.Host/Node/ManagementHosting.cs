using System.Net;
using System.Net.Sockets;
using Akka;
using Akka.Actor;
using Akka.Cluster;
using Akka.Discovery.KubernetesApi;
using Akka.Hosting;
using Akka.Http.Dsl;
using Akka.Management;
using Akka.Management.Cluster.Bootstrap;
using Akka.Management.Dsl;
using Akka.Event;
using Ceen.Httpd;
using Route = System.ValueTuple<string, Akka.Http.Dsl.HttpModuleBase>;

namespace Muesli.Host.Node;

/// <summary>
/// Akka.Management's HTTP endpoint on a node: the health routes that orchestrators probe, and on Kubernetes the
/// Cluster.Bootstrap contact point, which finds the other pods through the Kubernetes API instead of seed nodes.
/// </summary>
public static class ManagementHosting
{
    /// <summary>200 while the actor system runs and this member has not been downed or removed.</summary>
    public const string AlivePath = "/health/alive";

    /// <summary>200 once the node is an Up member and has printed <c>node_ready</c>; 503 before, and from SIGTERM on.</summary>
    public const string ReadyPath = "/health/ready";

    public const string DiscoveryNone = "none";

    public const string DiscoveryKubernetes = "kubernetes";

    /// <summary>Bootstrap looks for pods carrying this label…</summary>
    public const string PodLabelSelector = "app=muesli";

    /// <summary>…and probes the container port of this name (it must be the management port).</summary>
    public const string PortName = "management";

    /// <summary>
    /// Serves Akka.Management's HTTP endpoint on <paramref name="hostname"/>:<paramref name="port"/> (the remoting host,
    /// so that it is reachable exactly where the node is), with the health routes added. Port 0: no endpoint at all.
    /// </summary>
    public static AkkaConfigurationBuilder WithManagement(this AkkaConfigurationBuilder builder, string hostname, int port)
    {
        if (port == 0)
        {
            return builder;
        }

        return builder
            .WithAkkaManagement(new AkkaManagementOptions { HostName = hostname, Port = port }.WithRouteProvider<HealthRouteProvider>("health"))
            .AddStartup(async (system, _) => await ServeAsync(system, hostname, port));
    }

    /// <summary>
    /// Joins (or forms) the cluster through Cluster.Bootstrap and Kubernetes API discovery: every pod labelled
    /// <see cref="PodLabelSelector"/> is a contact point on its port named <see cref="PortName"/>. The node must not join
    /// seed nodes itself; the management endpoint must be on (the contact points are its routes).
    /// </summary>
    public static AkkaConfigurationBuilder WithKubernetesBootstrap(this AkkaConfigurationBuilder builder, string serviceName)
        => builder
            .WithClusterBootstrap(
                bootstrap =>
                {
                    bootstrap.ContactPointDiscovery.ServiceName = serviceName;
                    bootstrap.ContactPointDiscovery.PortName = PortName;
                },
                autoStart: false)
            .WithKubernetesDiscovery(new KubernetesDiscoveryOptions { PodLabelSelector = PodLabelSelector })
            .AddStartup(async (system, _) => await ClusterBootstrap.Get(system).Start());

    /// <summary>
    /// Binds the endpoint with Ceen's server and Akka.Management's router. <c>AkkaManagement.Start()</c> would do the
    /// same, but Akka.Http.Shim 1.5.73 was compiled against Ceen.Httpd 0.9.9's <c>ListenAsync(IPEndPoint, …)</c> and
    /// the Ceen.Httpd available here is 0.9.10 (<c>ListenAsync(EndPoint, …)</c>): it fails with a MissingMethodException.
    /// </summary>
    private static async Task ServeAsync(ActorSystem system, string hostname, int port)
    {
        // Asking for the routes also gives Cluster.Bootstrap its own contact point; it may be done once only.
        var routes = AkkaManagement.Get(system).Routes();
        var address = IPAddress.TryParse(hostname, out var ip) ? ip
            : (await Dns.GetHostAddressesAsync(hostname)).First(a => a.AddressFamily == AddressFamily.InterNetwork);
        var stop = new CancellationTokenSource();
        var serving = HttpServer.ListenAsync(new IPEndPoint(address, port), false, new ServerConfig { Router = new AkkaRouter(system, routes) }, stop.Token);
        if (serving.IsFaulted)
        {
            // A port already taken: the node must not come up without the endpoint its orchestrator probes.
            var cause = serving.Exception.GetBaseException();
            throw new InvalidOperationException($"cannot serve Akka.Management on {address}:{port} (--management-port): {cause.Message}", cause);
        }

        system.Log.Info("Akka.Management HTTP endpoint on {0}:{1}", address, port);
        CoordinatedShutdown.Get(system).AddTask(CoordinatedShutdown.PhaseActorSystemTerminate, "muesli-management-stop", async () =>
        {
            await stop.CancelAsync();
            return Done.Instance;
        });
    }
}

/// <summary>Whether the node serves: from <c>node_ready</c> until it is told to stop (the first SIGTERM).</summary>
public sealed class NodeReadiness : IExtension
{
    private volatile Task? _serving;

    public bool Ready => _serving is { IsCompleted: false };

    /// <summary>Ready from now until <paramref name="stop"/> completes.</summary>
    public void ServeUntil(Task stop) => _serving = stop;

    public static NodeReadiness Get(ActorSystem system) => system.WithExtension<NodeReadiness, NodeReadinessProvider>();
}

/// <summary>Creates the one <see cref="NodeReadiness"/> of an actor system.</summary>
public sealed class NodeReadinessProvider : ExtensionIdProvider<NodeReadiness>
{
    public override NodeReadiness CreateExtension(ExtendedActorSystem system) => new();
}

/// <summary>
/// Adds <see cref="ManagementHosting.AlivePath"/> and <see cref="ManagementHosting.ReadyPath"/> to Akka.Management's
/// endpoint: the package itself serves no health routes (only the bootstrap ones).
/// </summary>
public sealed class HealthRouteProvider : IManagementRouteProvider
{
    public Route[] Routes(ManagementRouteProviderSettings settings)
        => [(ManagementHosting.AlivePath, new HealthRoute(Alive)), (ManagementHosting.ReadyPath, new HealthRoute(Ready))];

    /// <summary>A member that has not joined yet counts as Removed: only a left or downed member is dead.</summary>
    private static string? Alive(ActorSystem system)
        => system.WhenTerminated.IsCompleted ? "terminated"
            : Cluster.Get(system) is { IsTerminated: true } or { SelfMember.Status: MemberStatus.Down } ? "out of the cluster"
            : null;

    private static string? Ready(ActorSystem system)
        => Alive(system) ?? Cluster.Get(system).SelfMember.Status switch
        {
            MemberStatus.Up or MemberStatus.WeaklyUp => NodeReadiness.Get(system).Ready ? null : "not serving",
            MemberStatus.Removed => "not joined yet",
            var status => $"member {status.ToString().ToLowerInvariant()}",
        };

    /// <summary>GET: 200 <c>{"status":"ok"}</c>, or 503 with the reason the check gives.</summary>
    private sealed class HealthRoute(Func<ActorSystem, string?> check) : HttpModuleBase
    {
        public override async Task<bool> HandleAsync(IAkkaHttpContext context)
        {
            if (!string.Equals(context.HttpContext.Request.Method, "GET", StringComparison.OrdinalIgnoreCase))
            {
                return false;
            }

            var problem = check(context.ActorSystem);
            context.HttpContext.Response.StatusCode = problem is null ? Ceen.HttpStatusCode.OK : Ceen.HttpStatusCode.ServiceUnavailable;
            await context.HttpContext.Response.WriteAllJsonAsync(System.Text.Json.JsonSerializer.Serialize(new { status = problem ?? "ok" }));
            return true;
        }
    }
}
