using System.Globalization;
using System.Text.Json;
using Muesli.TestWorld;
using Npgsql;
using static Muesli.Benchmarks.RoomsBenchmark;

namespace Muesli.Benchmarks;

/// <summary>What the <c>cluster</c> benchmark runs: room counts, meeting length, the PostgreSQL server, the failover scenario.</summary>
public sealed record ClusterOptions
{
    /// <summary>The room counts to try, smallest first; each gets a fresh cluster, database and data dir.</summary>
    public IReadOnlyList<int> Rooms { get; init; } = [1, 10, 50];

    /// <summary>Seconds of meeting audio each room sends, at real time.</summary>
    public double Seconds { get; init; } = 90;

    /// <summary>A PostgreSQL server connection string; each scenario creates its own database there and drops it.</summary>
    public required string Postgres { get; init; }

    /// <summary>Live rooms when the stream+inference node is killed (0: no failover scenario).</summary>
    public int FailoverRooms { get; init; } = 4;

    /// <summary>Seconds of meeting audio each room of the failover scenario sends.</summary>
    public double FailoverSeconds { get; init; } = 120;

    /// <summary>Seconds into the failover meetings when the node is killed (once every room has had a live pass).</summary>
    public double KillAfter { get; init; } = 45;

    /// <summary>How long, after STOP, every room may take to get <c>meeting_stopped</c>.</summary>
    public double FinalizeLimit { get; init; } = 300;

    /// <summary>Folder for every node's stderr; a temporary one when null.</summary>
    public string? Logs { get; init; }

    /// <summary>A file to write the figures to as JSON.</summary>
    public string? Json { get; init; }
}

/// <summary>
/// Three <c>muesli node</c> processes over loopback on one fresh PostgreSQL database and one data dir per scenario:
/// A ingest+stream (the seed), B stream+inference and C inference, one CPU slot on each inference node, stand-in models.
/// For each room count, that many real-time rooms on A (the clients of the <c>rooms</c> benchmark): the live lag of
/// their segments, as the <c>rooms</c> benchmark defines it, and the share of chunks each inference slot ran (its
/// <c>run_log</c> ends over both slots'). Then the failover: B is killed (SIGKILL) mid-meeting under live rooms, the
/// clients reconnect to A at once and resend from where <c>meeting_resumed</c> says; measured from the kill to each
/// meeting's <c>meeting_resumed</c> and to its first live pass done after it.
/// </summary>
public static class ClusterBenchmark
{
    /// <summary>One room count's figures.</summary>
    /// <param name="Rooms">Rooms served at once.</param>
    /// <param name="LagP50">Median live lag of the segments of all rooms, in seconds.</param>
    /// <param name="LagP95">95th percentile of the live lag, in seconds.</param>
    /// <param name="LiveSegments">Segments of live passes the lag is taken over.</param>
    /// <param name="ChunksB">Runs node B's slot ended (live and finalize).</param>
    /// <param name="ChunksC">Runs node C's slot ended (live and finalize).</param>
    /// <param name="FinalizeSeconds">From STOP to <c>meeting_stopped</c>, the longest of the rooms; null if one never got it.</param>
    /// <param name="FailedRooms">Rooms refused, cut off or not stopped in time.</param>
    public sealed record LoadRow(int Rooms, double LagP50, double LagP95, int LiveSegments, int ChunksB, int ChunksC, double? FinalizeSeconds, int FailedRooms)
    {
        public double ShareB => ChunksB + ChunksC == 0 ? double.NaN : (double)ChunksB / (ChunksB + ChunksC);

        public double ShareC => ChunksB + ChunksC == 0 ? double.NaN : (double)ChunksC / (ChunksB + ChunksC);
    }

    /// <summary>One meeting of the failover scenario, in seconds from the kill (NaN: never).</summary>
    /// <param name="Room">The meeting id.</param>
    /// <param name="OnKilledNode">Whether the killed node had opened one of the meeting's streams.</param>
    /// <param name="Resumed">Kill → <c>meeting_resumed</c>.</param>
    /// <param name="LiveDone">Kill → the first live <c>live_process_done</c> after it.</param>
    /// <param name="Failure">Why the room did not finish, if it did not.</param>
    public sealed record FailoverRow(string Room, bool OnKilledNode, double Resumed, double LiveDone, string? Failure);

    public static async Task<int> RunAsync(ClusterOptions options)
    {
        var muesli = MuesliDll();
        if (!File.Exists(muesli))
        {
            Console.Error.WriteLine($"muesli is not built at {muesli}; build it first (dotnet build src/Muesli.Host -c {Configuration})");
            return 1;
        }

        var work = Path.Combine(Path.GetTempPath(), $"muesli-cluster-{Environment.ProcessId}");
        var logs = options.Logs ?? Path.Combine(work, "logs");
        var models = Path.Combine(work, "models");
        Directory.CreateDirectory(logs);
        StandInModels.WriteModelsFolder(models);

        var most = Math.Max(options.Rooms.DefaultIfEmpty(0).Max(), options.FailoverRooms);
        var seconds = Math.Max(options.Seconds, options.FailoverSeconds);
        Console.Error.WriteLine($"rendering {most} meetings of {seconds} s at {SampleRate} Hz …");
        var audio = Enumerable.Range(0, most).AsParallel().AsOrdered().Select(i => Render(i, seconds)).ToArray();

        var rows = new List<LoadRow>();
        var failover = new List<FailoverRow>();
        try
        {
            foreach (var n in options.Rooms.Order())
            {
                Console.Error.WriteLine($"{n} {(n == 1 ? "room" : "rooms")} (load average before: {File.ReadAllText("/proc/loadavg").Trim()}) …");
                rows.Add(await MeasureLoadAsync(n, audio, muesli, models, logs, options));
                PrintLoad(rows[^1..], options.Seconds);
            }

            if (options.FailoverRooms > 0)
            {
                Console.Error.WriteLine($"failover: {options.FailoverRooms} rooms, node B killed {options.KillAfter} s in …");
                failover.AddRange(await MeasureFailoverAsync(audio, muesli, models, logs, options));
            }
        }
        finally
        {
            Directory.Delete(options.Logs is null ? models : work, recursive: true);
        }

        Console.WriteLine();
        Console.WriteLine($"Summary: three nodes (A ingest+stream, B stream+inference, C inference; one CPU slot each on B and C), PostgreSQL journal, stand-in models; node stderr in {logs}");
        PrintLoad(rows, options.Seconds);
        if (failover.Count > 0)
        {
            PrintFailover(failover);
        }

        if (options.Json is not null)
        {
            var json = new { rooms = rows, failover, options.Seconds, options.FailoverSeconds, options.KillAfter };
            await File.WriteAllTextAsync(options.Json, JsonSerializer.Serialize(json, JsonOptions));
            Console.WriteLine($"Figures written to {options.Json}");
        }

        return 0;
    }

    internal static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
        WriteIndented = true,
    };

    private static async Task<LoadRow> MeasureLoadAsync(int n, short[][] audio, string muesli, string models, string logs, ClusterOptions options)
    {
        await using var cluster = await Cluster.StartAsync(muesli, models, logs, $"rooms-{n}", options.Postgres);
        var run = Guid.NewGuid().ToString("N")[..6];
        var rooms = Enumerable.Range(0, n).Select(i => new Room($"room-{n}-{i}-{run}", audio[i], options.Seconds, LiveInterval * i / n)).ToArray();
        await Task.WhenAll(rooms.Select(r => r.RunAsync(cluster.A.Ingest, TimeSpan.FromSeconds(options.FinalizeLimit))));

        var lags = rooms.SelectMany(r => r.LiveLags()).Select(l => l.Lag).ToArray();
        var stopped = rooms.Where(r => r.StopSent.IsCompletedSuccessfully).ToArray();
        var finalize = stopped.Length > 0 && stopped.All(r => r.StoppedAfter is not null) ? stopped.Max(r => r.StoppedAfter) : null;
        foreach (var failure in rooms.Where(r => r.Failure is not null).GroupBy(r => r.Failure).Take(5))
        {
            Console.Error.WriteLine($"  {failure.Count()} rooms failed: {failure.Key}");
        }

        return new LoadRow(n, Percentile(lags, 0.5), Percentile(lags, 0.95), lags.Length, RunsEnded(cluster.B), RunsEnded(cluster.C), finalize, rooms.Count(r => r.Failure is not null));
    }

    private static async Task<IReadOnlyList<FailoverRow>> MeasureFailoverAsync(short[][] audio, string muesli, string models, string logs, ClusterOptions options)
    {
        var n = options.FailoverRooms;
        await using var cluster = await Cluster.StartAsync(muesli, models, logs, "failover", options.Postgres);
        var run = Guid.NewGuid().ToString("N")[..6];
        var rooms = Enumerable.Range(0, n).Select(i => new Room($"failover-{i}-{run}", audio[i], options.FailoverSeconds, 0)).ToArray();
        var served = rooms.Select(r => r.RunAsync(cluster.A.Ingest, TimeSpan.FromSeconds(options.FinalizeLimit))).ToArray();
        var begin = Clock.Elapsed.TotalSeconds;
        var live = Task.WhenAll(rooms.Select(r => r.LiveDone));
        if (await Task.WhenAny(live, Task.Delay(TimeSpan.FromSeconds(options.FailoverSeconds / 2))) != live)
        {
            Console.Error.WriteLine("  not every room had a live pass by half its meeting; killing node B all the same");
        }

        await Task.Delay(TimeSpan.FromSeconds(Math.Max(0, options.KillAfter - (Clock.Elapsed.TotalSeconds - begin))));

        var opened = cluster.B.LogLines().Where(l => l.Contains(" opened", StringComparison.Ordinal)).ToArray();
        var killedAt = Clock.Elapsed.TotalSeconds;
        cluster.B.Kill();
        foreach (var room in rooms)
        {
            room.Drop();
        }

        await Task.WhenAll(served);
        return rooms
            .Select(r => new FailoverRow(
                r.MeetingId,
                opened.Any(l => l.Contains($"stream {r.MeetingId}/", StringComparison.Ordinal)),
                r.ResumedAt - killedAt,
                r.LiveDoneAfterResumeAt - killedAt,
                r.Failure))
            .ToArray();
    }

    /// <summary>The runs a node's slots ended, live and finalize: its <c>run_log</c> end lines.</summary>
    private static int RunsEnded(NodeProcess node)
        => node.LogLines().Count(l => l.Contains("run_log {", StringComparison.Ordinal) && l.Contains("\"event\":\"end\"", StringComparison.Ordinal));

    /// <summary>The node's default live interval: the rooms' starts are spread over one, as in the <c>rooms</c> benchmark.</summary>
    private const double LiveInterval = 15;

    private static void PrintLoad(IReadOnlyList<LoadRow> rows, double seconds)
    {
        Console.WriteLine($"Chunk latency = live lag: a live segment's arrival minus when the frame holding its end was due; {seconds} s per room.");
        Console.WriteLine($"{"rooms",5} {"lag p50 s",9} {"p95 s",7} {"segments",9} {"chunks B",9} {"chunks C",9} {"share B",8} {"share C",8} {"finalize s",11} {"failed",7}");
        foreach (var r in rows)
        {
            var finalize = r.FinalizeSeconds is { } f ? f.ToString("F1", CultureInfo.InvariantCulture) : "timeout";
            Console.WriteLine($"{r.Rooms,5} {r.LagP50,9:F1} {r.LagP95,7:F1} {r.LiveSegments,9} {r.ChunksB,9} {r.ChunksC,9} {r.ShareB,8:P0} {r.ShareC,8:P0} {finalize,11} {r.FailedRooms,7}");
        }
    }

    private static void PrintFailover(IReadOnlyList<FailoverRow> rows)
    {
        Console.WriteLine();
        Console.WriteLine($"Failover: node B (stream+inference) SIGKILLed under {rows.Count} live rooms; clients reconnect to A at once. Seconds from the kill:");
        Console.WriteLine($"{"room",-20} {"on B",5} {"resumed",8} {"live done",10} failure");
        foreach (var r in rows)
        {
            Console.WriteLine($"{r.Room,-20} {(r.OnKilledNode ? "yes" : "no"),5} {r.Resumed,8:F1} {r.LiveDone,10:F1} {r.Failure}");
        }

        Console.WriteLine($"{"",-20} {"",5} {"min",8} {"median",10} {"max",8}");
        foreach (var (name, values) in new[] { ("meeting_resumed", rows.Select(r => r.Resumed)), ("live pass done", rows.Select(r => r.LiveDone)) })
        {
            var seen = values.Where(v => !double.IsNaN(v)).ToArray();
            Console.WriteLine(seen.Length == 0
                ? $"{name,-26} never"
                : $"{name,-26} {seen.Min(),8:F1} {Percentile(seen, 0.5),10:F1} {seen.Max(),8:F1}{(seen.Length < rows.Count ? $"  ({rows.Count - seen.Length} never)" : "")}");
        }
    }

    /// <summary>The three nodes on a fresh database and data dir; stopped, and the database dropped, on dispose.</summary>
    private sealed class Cluster : IAsyncDisposable
    {
        private readonly string _server;
        private readonly string _database;
        private readonly string _data;
        private readonly List<NodeProcess> _nodes;

        private Cluster(string server, string database, string data, List<NodeProcess> nodes)
        {
            _server = server;
            _database = database;
            _data = data;
            _nodes = nodes;
        }

        /// <summary>Ingest and stream: the seed, where every client connects.</summary>
        public NodeProcess A => _nodes[0];

        /// <summary>Stream and inference: the node the failover kills.</summary>
        public NodeProcess B => _nodes[1];

        /// <summary>Inference only.</summary>
        public NodeProcess C => _nodes[2];

        public static async Task<Cluster> StartAsync(string muesli, string models, string logs, string scenario, string server)
        {
            var database = $"muesli_bench_{Guid.NewGuid():N}"[..24];
            await using (var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(server) { Pooling = false }.ToString()))
            {
                await connection.OpenAsync();
                await using var create = new NpgsqlCommand($"CREATE DATABASE {database}", connection);
                await create.ExecuteNonQueryAsync();
            }

            var journal = new NpgsqlConnectionStringBuilder(server) { Database = database }.ToString();
            var data = Path.Combine(Path.GetDirectoryName(models)!, $"data-{scenario}");
            var cluster = new Cluster(server, database, data, []);
            try
            {
                List<string> common = ["--port", "0", "--ingest-port", "0", "--management-port", "0", "--data-dir", data, "--models", models, "--journal", journal];
                // The node's own --max-meetings (200): a client reconnecting after a drop is served while the node
                // still counts its old connection.
                var a = await NodeProcess.StartAsync(muesli, [.. common, "--roles", "ingest,stream"], Path.Combine(logs, $"{scenario}-A.stderr.log"), journal, postgres: true);
                cluster._nodes.Add(a);
                var others = await Task.WhenAll(
                    NodeProcess.StartAsync(muesli, [.. common, "--roles", "stream,inference", "--devices", "cpu", "--seed-nodes", a.SeedAddress], Path.Combine(logs, $"{scenario}-B.stderr.log"), journal, postgres: true),
                    NodeProcess.StartAsync(muesli, [.. common, "--roles", "inference", "--devices", "cpu", "--seed-nodes", a.SeedAddress], Path.Combine(logs, $"{scenario}-C.stderr.log"), journal, postgres: true));
                cluster._nodes.AddRange(others);
                return cluster;
            }
            catch
            {
                await cluster.DisposeAsync();
                throw;
            }
        }

        public async ValueTask DisposeAsync()
        {
            // The inference nodes first, so that the seed does not see its members go as failures to act on.
            foreach (var node in Enumerable.Reverse(_nodes))
            {
                await node.StopAsync();
            }

            await using (var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(_server) { Pooling = false }.ToString()))
            {
                await connection.OpenAsync();
                await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {_database} WITH (FORCE)", connection);
                await drop.ExecuteNonQueryAsync();
            }

            if (Directory.Exists(_data))
            {
                Directory.Delete(_data, recursive: true);
            }
        }
    }
}
