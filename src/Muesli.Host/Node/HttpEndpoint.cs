using System.Net;
using System.Text;
using Akka.Actor;
using Akka.Cluster;
using Akka.Persistence;
using Ceen;
using Ceen.Httpd;
using Muesli.Actors;
using Prometheus;

namespace Muesli.Host.Node;

/// <summary>
/// <c>muesli node --http-port</c>: the node's metrics in Prometheus text format at <see cref="MetricsPath"/>, and two
/// health checks of its own (beside Akka.Management's on <c>--management-port</c>): <see cref="LivePath"/> answers while
/// the process serves; <see cref="ReadyPath"/> only once the node is an Up member, serves (from <c>node_ready</c> to
/// SIGTERM), has built its engines (on an inference node) and reaches its journal.
/// </summary>
public sealed class HttpEndpoint : IDisposable
{
    public const string MetricsPath = "/metrics";

    public const string LivePath = "/health/live";

    public const string ReadyPath = "/health/ready";

    private static readonly TimeSpan JournalTimeout = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan JournalCheckEvery = TimeSpan.FromSeconds(5);
    private static readonly object Exporting = new();
    private static bool _exporting;
    private static PrometheusBridge? _bridge;

    private readonly ActorSystem _system;
    private readonly IReadOnlyCollection<string> _slots;
    private readonly CancellationTokenSource _stop = new();
    private readonly SemaphoreSlim _journalCheck = new(1, 1);
    private (DateTime At, string? Problem) _journal = (DateTime.MinValue, null);

    private HttpEndpoint(ActorSystem system, IReadOnlyCollection<string> slots)
    {
        _system = system;
        _slots = slots;
    }

    /// <summary>
    /// Serves on <paramref name="address"/>:<paramref name="port"/>. <paramref name="slots"/>: the worker slots that must
    /// have built their pipelines before the node is ready (none on a node without the inference role).
    /// </summary>
    public static HttpEndpoint Start(ActorSystem system, IPAddress address, int port, IReadOnlyCollection<string> slots)
    {
        Export();
        var endpoint = new HttpEndpoint(system, slots);
        var serving = HttpServer.ListenAsync(new IPEndPoint(address, port), false, new ServerConfig { Router = new Router(endpoint) }, endpoint._stop.Token);
        if (serving.IsFaulted)
        {
            var cause = serving.Exception.GetBaseException();
            throw new InvalidOperationException($"cannot serve metrics on {address}:{port} (--http-port): {cause.Message}", cause);
        }

        return endpoint;
    }

    public void Dispose()
    {
        _stop.Cancel();
        _stop.Dispose();
    }

    /// <summary>Publishes the <see cref="MuesliMetrics.MeterName"/> meter (and the process's own figures) in the default registry, once.</summary>
    private static void Export()
    {
        lock (Exporting)
        {
            if (_exporting)
            {
                return;
            }

            _exporting = true;
        }

        // prometheus-net would otherwise publish every meter and event counter of the runtime and of Akka's dependencies.
        Metrics.SuppressDefaultMetrics(new SuppressDefaultMetricOptions { SuppressMeters = true, SuppressEventCounters = true, SuppressDebugMetrics = true });
        _bridge = new PrometheusBridge(MuesliMetrics.Name, Metrics.DefaultRegistry, [0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 15, 30, 60, 120]);
    }

    /// <summary>Null when ready, else why not (one short line).</summary>
    public async Task<string?> ReadyProblemAsync()
    {
        if (_system.WhenTerminated.IsCompleted)
        {
            return "actor system terminated";
        }

        var status = Cluster.Get(_system).SelfMember.Status;
        if (status != MemberStatus.Up)
        {
            return status == MemberStatus.Removed ? "not joined the cluster yet" : $"cluster member {status.ToString().ToLowerInvariant()}";
        }

        if (!NodeReadiness.Get(_system).Ready)
        {
            return "not serving (starting or draining)";
        }

        var loading = _slots.Except(MuesliMetrics.ReadySlots).ToArray();
        if (loading.Length > 0)
        {
            return $"engines not loaded on {string.Join(", ", loading)}";
        }

        return await JournalProblemAsync();
    }

    /// <summary>
    /// Asks the journal for the highest sequence number of a persistence id no entity uses: one cheap read, as every
    /// recovery starts with. The answer is kept a few seconds, so frequent probes cost one read.
    /// </summary>
    private async Task<string?> JournalProblemAsync()
    {
        await _journalCheck.WaitAsync();
        try
        {
            if (DateTime.UtcNow - _journal.At < JournalCheckEvery)
            {
                return _journal.Problem;
            }

            string? problem;
            try
            {
                var journal = Persistence.Instance.Apply(_system).JournalFor(null);
                var answer = await journal.Ask<object>(new Func<IActorRef, object>(replyTo => new ReplayMessages(0, 0, 0, "muesli-health-probe", replyTo)), JournalTimeout, CancellationToken.None);
                problem = answer switch
                {
                    RecoverySuccess => null,
                    ReplayMessagesFailure failure => $"journal unreachable: {failure.Cause.Message}",
                    _ => $"journal answered {answer.GetType().Name}",
                };
            }
            catch (Exception e) when (e is AskTimeoutException or TaskCanceledException)
            {
                problem = $"journal did not answer within {JournalTimeout.TotalSeconds:0} s";
            }

            _journal = (DateTime.UtcNow, problem);
            return problem;
        }
        finally
        {
            _journalCheck.Release();
        }
    }

    private sealed class Router(HttpEndpoint endpoint) : IRouter
    {
        public async Task<bool> Process(IHttpContext context)
        {
            var request = context.Request;
            if (!string.Equals(request.Method, "GET", StringComparison.OrdinalIgnoreCase))
            {
                return false;
            }

            var response = context.Response;
            response.SetNonCacheable();
            switch (request.Path)
            {
                case MetricsPath:
                    using (var buffer = new MemoryStream())
                    {
                        await Metrics.DefaultRegistry.CollectAndExportAsTextAsync(buffer);
                        response.StatusCode = Ceen.HttpStatusCode.OK;
                        await response.WriteAllAsync(Encoding.UTF8.GetString(buffer.ToArray()), "text/plain; version=0.0.4; charset=utf-8");
                    }

                    return true;
                case LivePath:
                    response.StatusCode = Ceen.HttpStatusCode.OK;
                    await response.WriteAllAsync("ok\n", "text/plain; charset=utf-8");
                    return true;
                case ReadyPath:
                    var problem = await endpoint.ReadyProblemAsync();
                    response.StatusCode = problem is null ? Ceen.HttpStatusCode.OK : Ceen.HttpStatusCode.ServiceUnavailable;
                    await response.WriteAllAsync((problem ?? "ok") + "\n", "text/plain; charset=utf-8");
                    return true;
                default:
                    return false;
            }
        }
    }
}
