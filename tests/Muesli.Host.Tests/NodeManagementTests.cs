using System.Net;
using System.Net.Sockets;
using Xunit;

namespace Muesli.Host.Tests;

/// <summary>
/// <c>muesli node --management-port</c>: the health endpoints that Docker and Kubernetes probe answer on the port the
/// node reports, ready only while it serves.
/// </summary>
public sealed class NodeManagementTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Health_endpoints_answer_200_once_the_node_is_ready_and_ready_turns_503_on_sigterm()
    {
        var help = await NodeHelp.Current;
        var paths = help.HealthPaths;
        Assert.Equal(2, paths.Count);
        var (alive, ready) = (paths.Single(p => p.EndsWith("alive", StringComparison.Ordinal)), paths.Single(p => p.EndsWith("ready", StringComparison.Ordinal)));
        var port = Probes.FreePort();
        using var data = new TempDir();
        await using var node = await NodeProcess.StartAsync(data, journal: null, ["--management-port", port.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        Assert.Equal(port, node.ManagementPort);

        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(5) };
        Assert.Equal(HttpStatusCode.OK, await Probes.PollAsync(http, ready, HttpStatusCode.OK, Limit));
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(alive)).StatusCode);

        node.Terminate();
        // Draining: the orchestrator must stop sending meetings here at once.
        Assert.NotEqual(HttpStatusCode.OK, await Probes.PollAsync(http, ready, null, Limit));
    }

    [Fact]
    public async Task Management_port_0_serves_nothing_and_reports_no_port()
    {
        using var data = new TempDir();
        await using var node = await NodeProcess.StartAsync(data, journal: null, ["--management-port", "0", "--roles", "ingest,stream"]);
        Assert.Null(node.ManagementPort);
    }
}
