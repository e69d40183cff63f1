using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.RegularExpressions;
using Muesli.TestWorld;
using Xunit;
using Xunit.Abstractions;

namespace Muesli.Host.Tests;

/// <summary>
/// <c>muesli node --http-port</c>: Prometheus metrics that move while a meeting streams in, health checks that say
/// ready only once the node has joined, and the Grafana dashboard, whose every query names a metric a node exports.
/// </summary>
public sealed partial class MetricsTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(5);

    private static string Dashboard => Path.Combine(BackendProcess.RepositoryRoot, "docker", "grafana", "muesli-dashboard.json");

    [Fact]
    public async Task Metrics_move_while_a_meeting_streams_the_lag_series_goes_with_it_and_every_dashboard_query_names_an_exported_metric()
    {
        var port = Probes.FreePort();
        using var data = new TempDir();
        // The port comes from the environment variable, as in the deployment files.
        await using var node = await NodeProcess.StartAsync(data, journal: null, environment: new Dictionary<string, string?> { ["MUESLI_HTTP_PORT"] = port.ToString(CultureInfo.InvariantCulture) });
        Assert.Equal(port, node.HttpPort);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(10) };
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/health/live")).StatusCode);
        // Ready once the engines are built and the journal answers (the SQLite one here).
        Assert.Equal(HttpStatusCode.OK, await Probes.PollAsync(http, "/health/ready", HttpStatusCode.OK, TimeSpan.FromSeconds(90)));

        var meeting = ToneMeetingGenerator.Generate(new MeetingSpec { DurationSeconds = 75, Speakers = 2, Seed = 12 });
        var id = "metrics-meeting";
        await using var client = await node.ConnectAsync();
        await client.SendAsync(AppClient.Start(meetingId: id));
        await client.FeedAsync(AppClient.AudioFrames(meeting, new FeedPlan { Until = 35, JitterMs = 0 }));
        await client.WaitForStatusAsync("live_process_done", Limit);
        var first = await ScrapeAsync(http);

        // Without clock jitter nothing overlaps, until the second part sends a second of system audio twice, as an app
        // does when it resends after a hiccup.
        await client.FeedAsync(AppClient.AudioFrames(meeting, new FeedPlan { From = 35, JitterMs = 0, Overlap = new Span("system", 50, 51) }));
        await client.WaitForEventAsync(e => client.Events.Status("live_process_done").Count() >= 2, Limit);
        var second = await ScrapeAsync(http);
        output.WriteLine(string.Join('\n', second.Where(s => s.Key.StartsWith("muesli_", StringComparison.Ordinal)).Select(s => $"{s.Key} {s.Value}")));

        Assert.True(Value(first, "muesli_chunks_total", "outcome=\"succeeded\"", "priority=\"live\"") >= 1, "no live chunk counted after the first live pass");
        Assert.True(Value(second, "muesli_chunks_total", "outcome=\"succeeded\"", "priority=\"live\"") > Value(first, "muesli_chunks_total", "outcome=\"succeeded\"", "priority=\"live\""), "the live chunk counter did not move");
        Assert.True(Value(first, "muesli_pcm_bytes_written_total") > 0, "no PCM bytes counted");
        Assert.True(Value(second, "muesli_pcm_bytes_written_total") > Value(first, "muesli_pcm_bytes_written_total"), "the PCM bytes counter did not move");
        Assert.True(Value(second, "muesli_worker_busy_seconds_total") > 0, "no busy seconds counted");
        Assert.True(Value(second, "muesli_chunk_duration_seconds_count", "priority=\"live\"") >= 2, "the latency histogram holds no live runs");
        Assert.Equal(1, Value(second, "muesli_connections"));
        Assert.Equal(1, Value(second, "muesli_meetings"));
        Assert.True(Value(second, "muesli_streams", "state=\"live\"") >= 1);
        Assert.Contains(second.Keys, k => k.StartsWith("muesli_live_lag_seconds{", StringComparison.Ordinal) && k.Contains($"meeting=\"{id}\"", StringComparison.Ordinal));
        Assert.Equal(0, Value(second, "muesli_persistence_failures_total"));
        Assert.Equal(0, Value(first, "muesli_overlap_frames_dropped_total"));
        var overlap = second;
        for (var deadline = DateTime.UtcNow + Limit; DateTime.UtcNow < deadline && Value(overlap, "muesli_overlap_frames_dropped_total") == 0; overlap = await ScrapeAsync(http))
        {
            await Task.Delay(250);
        }

        // The resent second, at the feed's 48 kHz: at least the frames of 0.9 s are the overlap dropped.
        Assert.True(Value(overlap, "muesli_overlap_frames_dropped_total") >= 0.9 * 48000, "the resent second dropped no overlap frame");

        // Every metric a dashboard query names is one the node exports.
        var exported = second.Keys.Select(k => MetricName(k)).ToHashSet();
        var used = DashboardMetrics().ToArray();
        Assert.NotEmpty(used);
        Assert.All(used, name => Assert.True(exported.Contains(name), $"the dashboard queries {name}, which /metrics does not export"));

        await client.SendAsync(AppClient.Stop());
        await client.WaitClosedAsync(Limit);
        // The streams finalize and stop after the client has its result: their series go then.
        var after = await ScrapeAsync(http);
        for (var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60); DateTime.UtcNow < deadline && Value(after, "muesli_meetings") > 0; after = await ScrapeAsync(http))
        {
            await Task.Delay(500);
        }

        Assert.True(Value(after, "muesli_chunks_total", "outcome=\"succeeded\"", "priority=\"finalize\"") >= 1, "no finalize chunk counted");
        Assert.DoesNotContain(after.Keys, k => k.Contains($"meeting=\"{id}\"", StringComparison.Ordinal));
        Assert.Equal(0, Value(after, "muesli_connections"));
        Assert.Equal(0, Value(after, "muesli_meetings"));
    }

    [Fact]
    public async Task Ready_answers_503_with_its_reason_while_the_node_has_not_joined_and_live_200()
    {
        var port = Probes.FreePort();
        using var data = new TempDir();
        // A seed where nothing listens: the node never joins (the PostgreSQL journal named is never reached either).
        var nowhere = Probes.FreePort();
        await using var process = BackendProcess.Start(
            [
                "--port", "0", "--ingest-port", "0", "--management-port", "0", "--http-port", port.ToString(CultureInfo.InvariantCulture),
                "--roles", "ingest,stream", "--data-dir", data, "--seed-nodes", $"127.0.0.1:{nowhere}",
                "--journal", $"Host=127.0.0.1;Port={nowhere};Username=muesli;Password=muesli;Database=muesli;Timeout=2",
            ],
            command: "node");
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(10) };
        Assert.Equal(HttpStatusCode.OK, await Probes.PollAsync(http, "/health/live", HttpStatusCode.OK, TimeSpan.FromSeconds(90)));
        await Task.Delay(TimeSpan.FromSeconds(3));
        var ready = await http.GetAsync("/health/ready");
        var reason = await ready.Content.ReadAsStringAsync();
        output.WriteLine(reason);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.Contains("not joined", reason, StringComparison.Ordinal);
        Assert.Contains("muesli_connections 0", await http.GetStringAsync("/metrics"), StringComparison.Ordinal);
        Assert.False(process.HasExited);
    }

    [Fact]
    public async Task Http_port_0_serves_nothing_and_the_flag_wins_over_the_environment()
    {
        var port = Probes.FreePort();
        using var data = new TempDir();
        await using var node = await NodeProcess.StartAsync(
            data,
            journal: null,
            ["--http-port", "0", "--roles", "ingest,stream"],
            new Dictionary<string, string?> { ["MUESLI_HTTP_PORT"] = port.ToString(CultureInfo.InvariantCulture) });
        Assert.Null(node.HttpPort);
        using var probe = new TcpClient();
        await Assert.ThrowsAnyAsync<SocketException>(() => probe.ConnectAsync(IPAddress.Loopback, port));
    }

    /// <summary>Every metric name in the dashboard's queries (all of them the node's own, <c>muesli_…</c>).</summary>
    private static IEnumerable<string> DashboardMetrics()
    {
        using var dashboard = JsonDocument.Parse(File.ReadAllText(Dashboard));
        var exprs = dashboard.RootElement.GetProperty("panels").EnumerateArray()
            .SelectMany(p => p.GetProperty("targets").EnumerateArray())
            .Select(t => t.GetProperty("expr").GetString()!)
            .ToArray();
        Assert.NotEmpty(exprs);
        return exprs.SelectMany(e => MetricInQuery().Matches(e)).Select(m => m.Value).Distinct();
    }

    /// <summary>One scrape: each sample line's series (name and labels) and its value.</summary>
    private static async Task<Dictionary<string, double>> ScrapeAsync(HttpClient http)
    {
        var response = await http.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.MediaType, StringComparison.Ordinal);
        var text = await response.Content.ReadAsStringAsync();
        return text.Split('\n')
            .Where(l => l.Length > 0 && !l.StartsWith('#'))
            .Select(l => (Series: l[..l.LastIndexOf(' ')], Value: double.Parse(l[(l.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture)))
            .ToDictionary(s => s.Series, s => s.Value);
    }

    /// <summary>The sum of a metric's series that carry every one of <paramref name="labels"/>.</summary>
    private static double Value(Dictionary<string, double> scrape, string name, params string[] labels)
        => scrape.Where(s => MetricName(s.Key) == name && labels.All(l => s.Key.Contains(l, StringComparison.Ordinal))).Sum(s => s.Value);

    private static string MetricName(string series) => series.Split('{')[0];

    [GeneratedRegex("muesli_[a-z_]+")]
    private static partial Regex MetricInQuery();
}
