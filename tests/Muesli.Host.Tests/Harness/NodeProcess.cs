using System.Diagnostics;
using System.Text.Json;
using Npgsql;
using Xunit;

namespace Muesli.Host.Tests;

/// <summary>A real <c>muesli node</c> process, started on free ports; tests reach it over TCP only.</summary>
public sealed class NodeProcess : IAsyncDisposable
{
    private static readonly TimeSpan ReadyLimit = TimeSpan.FromSeconds(90);

    private NodeProcess(BackendProcess process, JsonElement ready)
    {
        Process = process;
        Address = ready.GetProperty("address").GetString()!;
        Ingest = ready.GetProperty("ingest").GetString()!;
        Devices = ready.GetProperty("devices").EnumerateArray().Select(d => d.GetString()!).ToArray();
        Roles = ready.GetProperty("roles").EnumerateArray().Select(d => d.GetString()!).ToArray();
        ManagementPort = ready.GetProperty("management_port") is { ValueKind: JsonValueKind.Number } port ? port.GetInt32() : null;
        HttpPort = ready.GetProperty("http_port") is { ValueKind: JsonValueKind.Number } http ? http.GetInt32() : null;
    }

    public BackendProcess Process { get; }

    public string Address { get; }

    /// <summary>host:port of the ingest listener, as the node reported it.</summary>
    public string Ingest { get; }

    public IReadOnlyList<string> Devices { get; }

    public IReadOnlyList<string> Roles { get; }

    /// <summary>The Akka.Management HTTP port, as the node reported it; null when it is off.</summary>
    public int? ManagementPort { get; }

    /// <summary>The metrics and health port (<c>--http-port</c>), as the node reported it; null when it is off.</summary>
    public int? HttpPort { get; }

    /// <summary>Starts a node on a free remoting port and a free ingest port, and waits for its <c>node_ready</c> line.</summary>
    public static async Task<NodeProcess> StartAsync(string dataDir, string? journal, IEnumerable<string>? extra = null, IReadOnlyDictionary<string, string?>? environment = null)
    {
        List<string> args = ["--port", "0", "--ingest-port", "0", "--data-dir", dataDir, "--models", StandIns.Folder, "--devices", "cpu"];
        if (journal is not null)
        {
            args.AddRange(["--journal", journal]);
        }

        extra = extra?.ToArray() ?? [];
        if (!extra.Contains("--management-port"))
        {
            // Many nodes run at once: none takes the default management port.
            args.AddRange(["--management-port", "0"]);
        }

        if (!extra.Contains("--http-port") && environment?.ContainsKey("MUESLI_HTTP_PORT") != true)
        {
            args.AddRange(["--http-port", "0"]);
        }

        args.AddRange(extra);
        var process = BackendProcess.Start(args, environment, command: "node");
        try
        {
            var ready = await process.WaitForEventAsync(e => e.GetProperty("type").GetString() == "node_ready", ReadyLimit);
            return new NodeProcess(process, ready);
        }
        catch
        {
            await process.DisposeAsync();
            throw;
        }
    }

    public Task<NodeClient> ConnectAsync() => NodeClient.ConnectAsync(Ingest);

    /// <summary>host:port of the node's remoting, as another node's <c>--seed-nodes</c> names it.</summary>
    public string SeedAddress => Address[(Address.IndexOf('@') + 1)..];

    /// <summary>Sends a signal (STOP, CONT, TERM, KILL) to the node's process.</summary>
    public void Signal(string name) => System.Diagnostics.Process.Start("kill", [$"-{name}", Process.Id.ToString()])!.WaitForExit();

    /// <summary>The runs its workers logged, in order: <c>run_log {…}</c> lines on stderr.</summary>
    public IReadOnlyList<JsonElement> RunLog() => Process.Stderr.Split('\n')
        .Where(l => l.Contains("run_log {"))
        .Select(l => JsonDocument.Parse(l[(l.IndexOf("run_log {") + 8)..].Trim()).RootElement.Clone())
        .ToArray();

    public void Kill() => Process.Kill();

    /// <summary>SIGTERM, as an orchestrator stops a pod.</summary>
    public void Terminate() => System.Diagnostics.Process.Start("kill", ["-TERM", Process.Id.ToString()])!.WaitForExit();

    public ValueTask DisposeAsync() => Process.DisposeAsync();
}

/// <summary>Runs only where <c>MUESLI_TEST_POSTGRES</c> names a PostgreSQL server (CI starts one); skips with the reason otherwise.</summary>
public sealed class PostgresFactAttribute : FactAttribute
{
    public const string Variable = "MUESLI_TEST_POSTGRES";

    public PostgresFactAttribute()
    {
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable(Variable)))
        {
            Skip = $"PostgreSQL: {Variable} is not set (a connection string, e.g. Host=127.0.0.1;Username=postgres;Password=…;Database=postgres; .ci/run starts a server and sets it)";
        }
    }
}

/// <summary>A fresh database on the test server for one test, dropped afterwards: no journal or sharding state is shared.</summary>
public sealed class TestDatabase : IAsyncDisposable
{
    private readonly string _server;

    private TestDatabase(string server, string name)
    {
        _server = server;
        Name = name;
        ConnectionString = new NpgsqlConnectionStringBuilder(server) { Database = name, Pooling = false }.ToString();
    }

    public string Name { get; }

    public string ConnectionString { get; }

    public static async Task<TestDatabase> CreateAsync()
    {
        var server = Environment.GetEnvironmentVariable(PostgresFactAttribute.Variable)
            ?? throw new InvalidOperationException($"{PostgresFactAttribute.Variable} is not set");
        var name = "muesli_t_" + Guid.NewGuid().ToString("N")[..12];
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(server) { Pooling = false }.ToString());
        await connection.OpenAsync();
        await using var create = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
        await create.ExecuteNonQueryAsync();
        return new TestDatabase(server, name);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(_server) { Pooling = false }.ToString());
            await connection.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {Name} WITH (FORCE)", connection);
            await drop.ExecuteNonQueryAsync();
        }
        catch (NpgsqlException)
        {
            // Left behind on a server that went away: it is named per test and harms nothing.
        }
    }
}

/// <summary>
/// What an uninterrupted <c>muesli backend</c> gives for a meeting's audio and settings: the reference that every
/// node run must equal. Each is computed once per test run.
/// </summary>
public static class ReferenceRuns
{
    private static readonly Dictionary<string, Lazy<Task<IReadOnlyList<JsonElement>>>> Runs = [];

    public static Task<IReadOnlyList<JsonElement>> ResultOfAsync(MeetingCase meeting)
    {
        Lazy<Task<IReadOnlyList<JsonElement>>> run;
        lock (Runs)
        {
            if (!Runs.TryGetValue(meeting.Key, out run!))
            {
                run = new Lazy<Task<IReadOnlyList<JsonElement>>>(() => RunAsync(meeting));
                Runs[meeting.Key] = run;
            }
        }

        return run.Value;
    }

    /// <summary>The node's <c>result</c> turns equal the reference's: same text, speakers and times.</summary>
    public static void AssertSameTranscript(IReadOnlyList<JsonElement> expected, IReadOnlyList<JsonElement> events, string label)
    {
        var want = Assert.Single(expected.OfType("result")).GetProperty("turns").EnumerateArray().ToArray();
        var got = Assert.Single(events.OfType("result")).GetProperty("turns").EnumerateArray().ToArray();
        Assert.True(want.Length == got.Length, $"{label}: {got.Length} turns, the uninterrupted backend run has {want.Length}");
        foreach (var (w, g) in want.Zip(got))
        {
            Assert.Equal(w.GetProperty("text").GetString(), g.GetProperty("text").GetString());
            Assert.Equal(w.GetProperty("speaker_id").GetString(), g.GetProperty("speaker_id").GetString());
            Assert.Equal(w.GetProperty("t0").GetDouble(), g.GetProperty("t0").GetDouble(), 0.001);
            Assert.Equal(w.GetProperty("t1").GetDouble(), g.GetProperty("t1").GetDouble(), 0.001);
        }
    }

    private static async Task<IReadOnlyList<JsonElement>> RunAsync(MeetingCase meeting)
    {
        using var dir = new TempDir();
        await using var backend = BackendProcess.Start(["--output-dir", dir, "--models", StandIns.Folder, "--device", "cpu", .. meeting.BackendFlags]);
        await backend.SendAsync(AppClient.Start(meeting.Plan.SampleRate, meeting.Plan.Channels));
        await AppClient.FeedAsync(backend.Stdin, AppClient.AudioFrames(meeting.Meeting, meeting.Plan));
        await backend.SendAsync(AppClient.Stop());
        backend.CloseInput();
        var code = await backend.WaitForExitAsync(TimeSpan.FromMinutes(10));
        Assert.True(code == 0, $"reference backend run of {meeting.Key} exited {code}:\n{backend.Stderr}");
        return backend.Events;
    }
}

/// <summary>One tone meeting as a client sends it, with its own settings (as MEETING_START fields and as backend flags).</summary>
public sealed record MeetingCase(string Id, TestWorld.ToneMeeting Meeting, FeedPlan Plan, IReadOnlyDictionary<string, object> Settings)
{
    public string Key => $"{Meeting.Spec.Seed}/{Meeting.Spec.DurationSeconds}/{Meeting.Spec.Speakers}/{Plan.SampleRate}/{Plan.Channels}/{Plan.Seed}/{SettingsJson}";

    public string SettingsJson => string.Join(",", Settings.OrderBy(s => s.Key).Select(s => $"\"{s.Key}\":{JsonSerializer.Serialize(s.Value)}"));

    public IEnumerable<string> BackendFlags => Settings.SelectMany(s => s.Value switch
    {
        true => [$"--{s.Key.Replace('_', '-')}"],
        false => Array.Empty<string>(),
        var v => [$"--{s.Key.Replace('_', '-')}", Convert.ToString(v, System.Globalization.CultureInfo.InvariantCulture)!],
    });

    public byte[] Start() => AppClient.Start(Plan.SampleRate, Plan.Channels, Id, Settings.Count == 0 ? null : SettingsJson);

    public IEnumerable<byte[]> Frames(double from = 0, double until = double.PositiveInfinity)
        => AppClient.AudioFrames(Meeting, Plan with { From = from, Until = until });
}

/// <summary>
/// Stops the test's PostgreSQL server at once (<c>pg_ctl stop -m immediate</c>) and starts it again when disposed.
/// The commands come from <c>MUESLI_TEST_PG_STOP</c> and <c>MUESLI_TEST_PG_START</c>, which <c>.ci/run</c> sets.
/// </summary>
public sealed class PostgresOutage : IAsyncDisposable
{
    public const string StopVariable = "MUESLI_TEST_PG_STOP";
    public const string StartVariable = "MUESLI_TEST_PG_START";

    private readonly Xunit.Abstractions.ITestOutputHelper _output;

    private PostgresOutage(Xunit.Abstractions.ITestOutputHelper output) => _output = output;

    public static async Task<PostgresOutage> BeginAsync(Xunit.Abstractions.ITestOutputHelper output)
    {
        await RunAsync(Environment.GetEnvironmentVariable(StopVariable), StopVariable, output);
        return new PostgresOutage(output);
    }

    public async ValueTask DisposeAsync() => await RunAsync(Environment.GetEnvironmentVariable(StartVariable), StartVariable, _output);

    private static async Task RunAsync(string? command, string variable, Xunit.Abstractions.ITestOutputHelper output)
    {
        Assert.False(string.IsNullOrWhiteSpace(command), $"{variable} must hold the shell command that does it (see .ci/run)");
        using var process = Process.Start(new ProcessStartInfo("bash", ["-c", command!]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        await process.WaitForExitAsync();
        output.WriteLine($"{variable}: exit {process.ExitCode} {await process.StandardError.ReadToEndAsync()}");
        Assert.Equal(0, process.ExitCode);
    }
}
