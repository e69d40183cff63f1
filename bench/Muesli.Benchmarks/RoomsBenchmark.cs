using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Muesli.Core;
using Muesli.Core.Protocol;
using Muesli.TestWorld;
using Npgsql;

namespace Muesli.Benchmarks;

/// <summary>What the <c>rooms</c> benchmark runs: room counts, meeting length, journal and node settings.</summary>
public sealed record RoomsOptions
{
    /// <summary>The room counts to try, smallest first; each gets a fresh node.</summary>
    public IReadOnlyList<int> Rooms { get; init; } = [1, 10, 25, 50, 100, 150];

    /// <summary>Seconds of meeting audio each room sends, at real time.</summary>
    public double Seconds { get; init; } = 120;

    /// <summary>A PostgreSQL connection string for the node's journal; null for SQLite in the node's data dir.</summary>
    public string? Journal { get; init; }

    /// <summary>The node's live interval in seconds (its default); passed to the node only when asked for.</summary>
    public double LiveInterval { get; init; } = 15;

    /// <summary>Whether <see cref="LiveInterval"/> was asked for and must be passed to the node.</summary>
    public bool PassLiveInterval { get; init; }

    /// <summary>
    /// Seconds over which the rooms' starts are spread evenly (0: all start at once). By default one live interval, so
    /// the rooms' live passes do not all fall due at the same instant, as with meetings that start independently.
    /// </summary>
    public double? Stagger { get; init; }

    /// <summary>How long, after STOP, every room may take to get <c>meeting_stopped</c>.</summary>
    public double FinalizeLimit { get; init; } = 300;

    /// <summary>Samples the node's threads while every room is live and prints those that used the most CPU.</summary>
    public bool Profile { get; init; }

    /// <summary>Folder for the node's stderr of every run (one file per room count).</summary>
    public string? Logs { get; init; }
}

/// <summary>
/// How many real-time meeting rooms one <c>muesli node</c> holds: for each room count a fresh node process (stand-in
/// models, one CPU slot) serves that many TCP clients, each sending a tone meeting at real time in 20 ms frames of both
/// streams (speech on the system stream, digital silence on the mic). Measured from the clients: the live lag of every
/// committed segment, whether it grows over the run, the network bytes per room and the finalize time after STOP; from
/// /proc and the journal: the node's CPU, peak memory and journal writes per second. A room count is bounded when no
/// live segment lagged more than the live interval + 10 s and the median lag of the last third of the meeting is at
/// most 5 s above that of the first third.
/// </summary>
public static class RoomsBenchmark
{
    internal const int SampleRate = 48000;
    internal const int FrameMilliseconds = 20;
    internal const int FrameSamples = SampleRate * FrameMilliseconds / 1000;
    internal const int FramesPerSecond = 1000 / FrameMilliseconds;

    /// <summary>Clock ticks per second of /proc/PID/stat (USER_HZ, 100 on every Linux architecture .NET runs on).</summary>
    private const double ClockTicks = 100;

    /// <summary>How much more than the live interval a bounded node may lag.</summary>
    private const double LagAllowance = 10;

    /// <summary>A segment in the last third lagging this much more than in the first third means the node falls behind.</summary>
    private const double GrowthAllowance = 5;

    internal static readonly Stopwatch Clock = Stopwatch.StartNew();

    /// <summary>One room count's figures, as a table row.</summary>
    /// <param name="Rooms">Rooms served at once by the node.</param>
    /// <param name="LagP50">Median live lag of the segments of all rooms, in seconds.</param>
    /// <param name="LagP95">95th percentile of the live lag, in seconds.</param>
    /// <param name="LagMax">Largest live lag, in seconds.</param>
    /// <param name="FirstThird">Median live lag of the segments ending in the first third of the meeting.</param>
    /// <param name="LastThird">Median live lag of the segments ending in the last third (NaN: none came live).</param>
    /// <param name="Backlog">Seconds at a meeting's end that only the finalize pass transcribed, the most of the rooms that sent STOP.</param>
    /// <param name="CpuPercent">The node's CPU while every room was live, in % of one core.</param>
    /// <param name="PeakRssMb">The node's peak resident memory (VmHWM), in MB.</param>
    /// <param name="JournalWritesPerSecond">Rows added to the journal table per second while every room was live.</param>
    /// <param name="NetKbPerRoom">Bytes sent and received per room, in KiB.</param>
    /// <param name="FinalizeSeconds">From STOP to <c>meeting_stopped</c>, the longest of the rooms that sent STOP; null if one of them never got it.</param>
    /// <param name="FailedRooms">Rooms refused, cut off or not stopped in time.</param>
    /// <param name="Bound">The most live lag a bounded node shows: the live interval plus the allowance.</param>
    public sealed record Row(
        int Rooms,
        double LagP50,
        double LagP95,
        double LagMax,
        double FirstThird,
        double LastThird,
        double Backlog,
        double CpuPercent,
        double PeakRssMb,
        double JournalWritesPerSecond,
        double NetKbPerRoom,
        double? FinalizeSeconds,
        int FailedRooms,
        double Bound)
    {
        /// <summary>
        /// The median lag of the last third exceeds that of the first third by more than the allowance, or no live
        /// segment of the last third came at all.
        /// </summary>
        public bool Growing => !(LastThird <= FirstThird + GrowthAllowance);

        /// <summary>The node kept up: every room got through, no live lag beyond the live interval plus the allowance, no growth.</summary>
        public bool Bounded => FailedRooms == 0 && LagMax <= Bound && !Growing;
    }

    /// <summary>Runs every room count in turn, stopping after the first the node did not keep up with; prints the table.</summary>
    public static async Task<int> RunAsync(RoomsOptions options)
    {
        var muesli = MuesliDll();
        if (!File.Exists(muesli))
        {
            Console.Error.WriteLine($"muesli is not built at {muesli}; build the solution first (dotnet build -c {Configuration})");
            return 1;
        }

        var work = Path.Combine(Path.GetTempPath(), $"muesli-rooms-{Environment.ProcessId}");
        var logs = options.Logs ?? Path.Combine(work, "logs");
        var models = Path.Combine(work, "models");
        Directory.CreateDirectory(logs);
        StandInModels.WriteModelsFolder(models);

        var most = options.Rooms.Max();
        Console.Error.WriteLine($"rendering {most} meetings of {options.Seconds} s at {SampleRate} Hz …");
        var audio = Enumerable.Range(0, most).AsParallel().AsOrdered().Select(i => Render(i, options.Seconds)).ToArray();

        var rows = new List<Row>();
        try
        {
            foreach (var n in options.Rooms.Order())
            {
                Console.Error.WriteLine($"{n} {(n == 1 ? "room" : "rooms")} (load average before: {File.ReadAllText("/proc/loadavg").Trim()}) …");
                var row = await MeasureAsync(n, audio, muesli, models, Path.Combine(logs, $"node-{n}.stderr.log"), options);
                rows.Add(row);
                Print([row], header: rows.Count == 1);
                if (!row.Bounded)
                {
                    break;
                }
            }
        }
        finally
        {
            // The node logs stay (in the work folder unless --logs named another).
            Directory.Delete(options.Logs is null ? models : work, recursive: true);
        }

        Console.WriteLine();
        Console.WriteLine($"Summary: {options.Seconds} s of meeting per room, live interval {options.LiveInterval} s, journal {(options.Journal is null ? "SQLite" : "PostgreSQL")}; node stderr in {logs}");
        Print(rows, header: true);
        var bounded = rows.TakeWhile(r => r.Bounded).LastOrDefault();
        Console.WriteLine(bounded is null
            ? "No room count stayed bounded."
            : $"Largest room count that stayed bounded: {bounded.Rooms}{(bounded == rows[^1] && rows.Count == options.Rooms.Count ? " (the largest tried)" : "")}");
        return 0;
    }

    internal static short[] Render(int room, double seconds)
    {
        var meeting = ToneMeetingGenerator.Generate(new MeetingSpec { DurationSeconds = seconds, Speakers = 2 + (room % 2), Seed = 1000 + room });
        return meeting.Render(ToneMeeting.SystemStream, new AudioFormat(SampleRate, 1));
    }

    private static async Task<Row> MeasureAsync(int n, short[][] audio, string muesli, string models, string log, RoomsOptions options)
    {
        var data = Path.Combine(Path.GetDirectoryName(models)!, $"data-{n}");
        List<string> arguments = ["--port", "0", "--ingest-port", "0", "--management-port", "0", "--data-dir", data, "--models", models, "--devices", "cpu", "--max-meetings", Math.Max(n, 1).ToString(CultureInfo.InvariantCulture)];
        if (options.Journal is not null)
        {
            arguments.AddRange(["--journal", options.Journal]);
        }

        if (options.PassLiveInterval)
        {
            arguments.AddRange(["--live-interval", options.LiveInterval.ToString(CultureInfo.InvariantCulture)]);
        }

        var journal = options.Journal ?? SqliteJournal(data);
        var node = await NodeProcess.StartAsync(muesli, arguments, log, journal, options.Journal is not null);
        try
        {
            var run = Guid.NewGuid().ToString("N")[..6];
            var stagger = options.Stagger ?? options.LiveInterval;
            var rooms = Enumerable.Range(0, n).Select(i => new Room($"room-{n}-{i}-{run}", audio[i], options.Seconds, stagger * i / n)).ToArray();
            var finalizeLimit = TimeSpan.FromSeconds(options.FinalizeLimit);
            var served = rooms.Select(r => r.RunAsync(node.Ingest, finalizeLimit)).ToArray();

            // The node's load is measured while every room is live: from the last room's START to the first room's STOP
            // (or, if every room failed before its STOP, to the last failure).
            await Task.WhenAll(rooms.Select(r => r.Started));
            var journalBefore = await node.JournalRowsAsync();
            var cpuBefore = node.CpuSeconds();
            var threadsBefore = options.Profile ? node.ThreadCpu() : null;
            var benchCpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
            var liveStart = Clock.Elapsed.TotalSeconds;
            await Task.WhenAny(Task.WhenAny(rooms.Select(r => r.StopSent)), Task.WhenAll(rooms.Select(r => r.AudioSent)));

            var liveSeconds = Clock.Elapsed.TotalSeconds - liveStart;
            var nodeCpu = node.CpuSeconds() - cpuBefore;
            var journalRate = (await node.JournalRowsAsync() - journalBefore) / liveSeconds;
            var threadsAfter = options.Profile ? node.ThreadCpu() : null;
            var benchCpu = (Process.GetCurrentProcess().TotalProcessorTime - benchCpuBefore).TotalSeconds / liveSeconds * 100;

            await Task.WhenAll(served);
            Console.Error.WriteLine($"  node load measured over {liveSeconds:F0} s with all {n} rooms live");
            var peakRss = node.PeakResidentBytes() / 1e6;
            var row = Summarize(n, rooms, options, nodeCpu / liveSeconds * 100, peakRss, journalRate);
            Notes(rooms, benchCpu, node.LogCounts());
            if (threadsBefore is not null && threadsAfter is not null)
            {
                PrintThreads(threadsBefore, threadsAfter, nodeCpu, liveSeconds);
            }

            return row;
        }
        finally
        {
            await node.StopAsync();
            if (Directory.Exists(data))
            {
                Directory.Delete(data, recursive: true);
            }
        }
    }

    /// <summary>A read-only connection string to the SQLite journal a node without <c>--journal</c> keeps in its data dir.</summary>
    internal static string SqliteJournal(string data) => $"Data Source={Path.Combine(data, "muesli-journal.db")};Mode=ReadOnly;Pooling=False";

    private static Row Summarize(int n, Room[] rooms, RoomsOptions options, double cpu, double peakRssMb, double journalRate)
    {
        var live = rooms.SelectMany(r => r.LiveLags()).ToArray();
        var lags = live.Select(l => l.Lag).ToArray();
        var third = options.Seconds / 3;
        var first = live.Where(l => l.T1 < third).Select(l => l.Lag).ToArray();
        var last = live.Where(l => l.T1 >= 2 * third).Select(l => l.Lag).ToArray();
        var stopped = rooms.Where(r => r.StopSent.IsCompletedSuccessfully).ToArray();
        var finalize = stopped.Length > 0 && stopped.All(r => r.StoppedAfter is not null) ? stopped.Max(r => r.StoppedAfter) : null;
        var net = rooms.Average(r => r.BytesSent + r.BytesReceived) / 1024;
        return new Row(
            n,
            Percentile(lags, 0.5),
            Percentile(lags, 0.95),
            lags.Length == 0 ? double.NaN : lags.Max(),
            Percentile(first, 0.5),
            Percentile(last, 0.5),
            stopped.Select(r => r.BacklogAtStop).DefaultIfEmpty(double.NaN).Max(),
            cpu,
            peakRssMb,
            journalRate,
            net,
            finalize,
            rooms.Count(r => r.Failure is not null),
            options.LiveInterval + LagAllowance);
    }

    private static void Notes(Room[] rooms, double benchCpu, (int Warnings, int Errors, IReadOnlyList<string> First) log)
    {
        var slips = rooms.SelectMany(r => r.Slips).ToArray();
        var live = rooms.Sum(r => r.LiveLags().Count());
        var total = rooms.Sum(r => r.Segments.Count);
        Console.Error.WriteLine(
            $"  segments: {live} live, {total - live} from the finalize pass; client pacing slip p99 {Percentile(slips, 0.99) * 1000:F1} ms, max {(slips.Length == 0 ? 0 : slips.Max()) * 1000:F1} ms; " +
            $"benchmark process CPU {benchCpu:F0} % of one core; node stderr: {log.Warnings} warnings, {log.Errors} errors");
        foreach (var line in log.First)
        {
            Console.Error.WriteLine($"    {line}");
        }

        foreach (var failure in rooms.Where(r => r.Failure is not null).GroupBy(r => r.Failure).Take(5))
        {
            Console.Error.WriteLine($"  {failure.Count()} rooms failed: {failure.Key}");
        }
    }

    private static void Print(IEnumerable<Row> rows, bool header)
    {
        if (header)
        {
            Console.WriteLine($"{"rooms",5} {"lag p50 s",9} {"p95 s",7} {"max s",7} {"1st⅓ med",9} {"last⅓ med",10} {"growing",8} {"backlog s",10} {"CPU %",7} {"peak RSS MB",12} {"journal w/s",12} {"net KB/room",12} {"finalize s",11} {"bounded",8}");
        }

        foreach (var r in rows)
        {
            var finalize = r.FinalizeSeconds is { } f ? f.ToString("F1", CultureInfo.InvariantCulture) : "timeout";
            var bounded = r.Bounded ? "yes" : r.FailedRooms > 0 ? $"no ({r.FailedRooms} failed)" : "no";
            Console.WriteLine($"{r.Rooms,5} {r.LagP50,9:F1} {r.LagP95,7:F1} {r.LagMax,7:F1} {r.FirstThird,9:F1} {r.LastThird,10:F1} {(!r.Growing ? "no" : double.IsNaN(r.LastThird) ? "no data" : "growing"),8} {r.Backlog,10:F1} {r.CpuPercent,7:F0} {r.PeakRssMb,12:F0} {r.JournalWritesPerSecond,12:F1} {r.NetKbPerRoom,12:F0} {finalize,11} {bounded,8}");
        }
    }

    /// <param name="processCpu">The node's CPU seconds over the same span: what the threads alive at its end do not account for was used by threads that ended within it.</param>
    private static void PrintThreads(IReadOnlyDictionary<int, (string Name, double Seconds)> before, IReadOnlyDictionary<int, (string Name, double Seconds)> after, double processCpu, double wall)
    {
        Console.Error.WriteLine("  node threads by CPU while every room was live (% of one core; threads of one name summed):");
        var threads = after
            .Select(t => (t.Value.Name, Seconds: t.Value.Seconds - (before.TryGetValue(t.Key, out var b) && b.Name == t.Value.Name ? b.Seconds : 0)))
            .ToArray();
        var used = threads
            .GroupBy(t => t.Name)
            .Select(g => (Name: g.Key, Count: g.Count(), Seconds: g.Sum(t => t.Seconds)))
            .Where(g => g.Seconds >= 0.001 * wall)
            .OrderByDescending(g => g.Seconds)
            .Take(10);
        foreach (var (name, count, seconds) in used)
        {
            Console.Error.WriteLine($"    {seconds / wall * 100,6:F1} %  {name} ({count} thread{(count == 1 ? "" : "s")})");
        }

        var started = after.Keys.Count(tid => !before.ContainsKey(tid));
        var ended = before.Keys.Count(tid => !after.ContainsKey(tid));
        var unattributed = Math.Max(0, processCpu - threads.Sum(t => t.Seconds));
        Console.Error.WriteLine($"    {unattributed / wall * 100,6:F1} %  threads that ended within the span ({ended} of those alive at its start ended, {started} alive at its end started within it; threads born and gone within it are not seen)");
    }

    internal static double Percentile(IReadOnlyList<double> values, double p)
    {
        if (values.Count == 0)
        {
            return double.NaN;
        }

        var sorted = values.Order().ToArray();
        return sorted[(int)Math.Min(sorted.Length - 1, Math.Round(p * (sorted.Length - 1)))];
    }

    internal static string Configuration =>
#if DEBUG
        "Debug";
#else
        "Release";
#endif

    /// <summary>The <c>muesli.dll</c> built beside this benchmark, in the same configuration.</summary>
    internal static string MuesliDll()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Muesli.Actors.sln")))
        {
            dir = dir.Parent;
        }

        var root = dir?.FullName ?? Directory.GetCurrentDirectory();
        return Path.Combine(root, "src", "Muesli.Host", "bin", Configuration, "net10.0", "muesli.dll");
    }

    /// <summary>
    /// One client: connects, sends START, then frame k of both streams at start + k·20 ms (or as fast as the node takes
    /// them when not <paramref name="paced"/>), then STOP, and reads the node's JSON lines until the node closes the
    /// connection. A meeting longer than its audio repeats the audio. After <see cref="Drop"/> it reconnects at once,
    /// sends START with the same meeting id and resends from where <c>meeting_resumed</c> says the recording ends.
    /// </summary>
    internal sealed class Room(string meetingId, short[] system, double seconds, double delay, bool paced = true)
    {
        private readonly double[] _dueAt = new double[(int)Math.Round(seconds * FramesPerSecond)];
        private readonly int _audioFrames = system.Length / FrameSamples;
        private readonly TaskCompletionSource _liveDone = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource<long> _resumed = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private TcpClient? _tcp;
        private int _connection;
        private double _begin = double.NaN;
        private double _resumedAt = double.NaN;
        private double _liveDoneAfterResumeAt = double.NaN;
        private double _resultAt = double.NaN;
        private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _audioSent = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _stopSent = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private double _stopSentAt = double.NaN;
        private double _finalizeStartedAt = double.PositiveInfinity;
        private double _stoppedAt = double.NaN;

        public string MeetingId => meetingId;

        /// <summary>Every system segment: its end on the meeting clock and when its line arrived.</summary>
        public List<(double T1, double ArrivedAt)> Segments { get; } = [];

        /// <summary>How late, in seconds, each frame went out after its deadline.</summary>
        public List<double> Slips { get; } = [];

        public long BytesSent { get; private set; }

        public long BytesReceived { get; private set; }

        public string? Failure { get; private set; }

        /// <summary>Completes when START went out (or the room failed).</summary>
        public Task Started => _started.Task;

        /// <summary>Completes when the last frame and STOP went out (or the room failed).</summary>
        public Task AudioSent => _audioSent.Task;

        /// <summary>Completes when the last frame and STOP went out; never if the room failed.</summary>
        public Task StopSent => _stopSent.Task;

        /// <summary>Completes at the first <c>live_process_done</c> of a live pass.</summary>
        public Task LiveDone => _liveDone.Task;

        /// <summary>When STOP went out (NaN: not yet), on <see cref="Clock"/>.</summary>
        public double StopSentAt => _stopSentAt;

        /// <summary>When the <c>result</c> event arrived (NaN: not yet), on <see cref="Clock"/>.</summary>
        public double ResultAt => _resultAt;

        /// <summary>When <c>meeting_resumed</c> arrived after <see cref="Drop"/> (NaN: not yet), on <see cref="Clock"/>.</summary>
        public double ResumedAt => _resumedAt;

        /// <summary>When the first live <c>live_process_done</c> after <c>meeting_resumed</c> arrived (NaN: none), on <see cref="Clock"/>.</summary>
        public double LiveDoneAfterResumeAt => _liveDoneAfterResumeAt;

        /// <summary>Seconds from STOP to <c>meeting_stopped</c>; null if it never came.</summary>
        public double? StoppedAfter => double.IsNaN(_stoppedAt) ? null : _stoppedAt - _stopSentAt;

        /// <summary>Seconds of meeting audio at the end that only the finalize pass transcribed (no live segment reached it).</summary>
        public double BacklogAtStop
        {
            get
            {
                var committed = LiveLags().Select(l => l.T1).DefaultIfEmpty(0).Max();
                return (double)_dueAt.Length / FramesPerSecond - committed;
            }
        }

        /// <summary>
        /// The lag of each segment of a live pass (one that arrived before the system stream's finalize pass started):
        /// its arrival minus when the frame holding its end was due (the lag of its last word; its first words waited
        /// longer by up to the segment's length). A frame is due when a live client captures and sends it: that is when
        /// it went out unless the node held the client back (TCP back-pressure, seen as pacing slip), and then the
        /// user still waits from the moment the words were spoken.
        /// </summary>
        public IEnumerable<(double T1, double Lag)> LiveLags()
        {
            lock (Segments)
            {
                var liveEnd = Math.Min(_finalizeStartedAt, double.IsNaN(_stoppedAt) ? double.PositiveInfinity : _stoppedAt);
                return Segments
                    .Where(s => s.ArrivedAt < liveEnd)
                    .Select(s => (s.T1, s.ArrivedAt - _dueAt[Math.Clamp((int)Math.Ceiling((s.T1 * FramesPerSecond) - 1e-9) - 1, 0, _dueAt.Length - 1)]))
                    .ToArray();
            }
        }

        /// <summary>Closes the connection at once, without STOP, as a client whose network dropped; it then reconnects.</summary>
        public void Drop()
        {
            lock (Segments)
            {
                _connection++;
                _tcp?.Dispose();
            }
        }

        public async Task RunAsync(string ingest, TimeSpan finalizeLimit)
        {
            var colon = ingest.LastIndexOf(':');
            Task reading = Task.CompletedTask;
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(delay));
                var from = 0;
                while (true)
                {
                    var tcp = new TcpClient { NoDelay = true };
                    int connection;
                    lock (Segments)
                    {
                        _tcp?.Dispose();
                        _tcp = tcp;
                        connection = _connection;
                    }

                    try
                    {
                        await tcp.ConnectAsync(ingest[..colon], int.Parse(ingest[(colon + 1)..], CultureInfo.InvariantCulture));
                        var stream = tcp.GetStream();
                        reading = ReadAsync(stream, connection);
                        await SendAsync(stream, from, resuming: connection > 0);
                        break;
                    }
                    catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException && connection != _connection)
                    {
                        // Dropped on purpose: resend from where the node's recording ends.
                        from = -1;
                    }
                }
            }
            catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or TimeoutException)
            {
                Failure ??= e.Message;
            }
            finally
            {
                _started.TrySetResult();
                _audioSent.TrySetResult();
            }

            if (await Task.WhenAny(reading, Task.Delay(finalizeLimit)) != reading)
            {
                Failure ??= $"no meeting_stopped within {finalizeLimit.TotalSeconds} s of STOP";
            }
            else if (double.IsNaN(_stoppedAt) && Failure is null)
            {
                Failure = "the node closed the connection without meeting_stopped";
            }
        }

        /// <param name="from">The first frame to send; negative: the frame holding the PTS that <c>meeting_resumed</c> names.</param>
        private async Task SendAsync(NetworkStream stream, int from, bool resuming)
        {
            var start = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new Dictionary<string, object> { ["sample_rate"] = SampleRate, ["channels"] = 1, ["meeting_id"] = meetingId }));
            await WriteAsync(stream, new Frame(FrameType.MeetingStart, StreamKind.System, 0, start).Encode());
            _started.TrySetResult();
            if (resuming)
            {
                var resumePtsUs = await _resumed.Task.WaitAsync(TimeSpan.FromMinutes(3));
                from = from >= 0 ? from : (int)Math.Min(_dueAt.Length, resumePtsUs / (FrameMilliseconds * 1000));
            }

            // One write per tick: the system frame, then the mic frame (digital silence) with the same PTS. Frames are due
            // on the clock of the first connection: a resent stretch goes out at once, then the client is live again.
            var frameBytes = FrameHeader.Size + (FrameSamples * 2);
            var tick = new byte[2 * frameBytes];
            _begin = double.IsNaN(_begin) ? Clock.Elapsed.TotalSeconds : _begin;
            for (var k = from; k < _dueAt.Length; k++)
            {
                var deadline = _begin + ((double)k / FramesPerSecond);
                _dueAt[k] = paced ? deadline : Clock.Elapsed.TotalSeconds;
                var wait = deadline - Clock.Elapsed.TotalSeconds;
                if (paced && wait > 0.001)
                {
                    await Task.Delay(TimeSpan.FromSeconds(wait));
                }

                var pts = (long)k * FrameMilliseconds * 1000;
                new FrameHeader((byte)FrameType.Audio, (byte)StreamKind.System, pts, FrameSamples * 2).Write(tick);
                var samples = system.AsSpan(k % _audioFrames * FrameSamples, FrameSamples);
                for (var i = 0; i < FrameSamples; i++)
                {
                    BinaryPrimitives.WriteInt16LittleEndian(tick.AsSpan(FrameHeader.Size + (2 * i)), samples[i]);
                }

                new FrameHeader((byte)FrameType.Audio, (byte)StreamKind.Mic, pts, FrameSamples * 2).Write(tick.AsSpan(frameBytes));
                await WriteAsync(stream, tick);
                Slips.Add(paced ? Math.Max(0, Clock.Elapsed.TotalSeconds - deadline) : 0);
            }

            _stopSentAt = Clock.Elapsed.TotalSeconds;
            await WriteAsync(stream, new Frame(FrameType.MeetingStop, StreamKind.System, 0, []).Encode());
            _stopSent.TrySetResult();
        }

        private async Task WriteAsync(NetworkStream stream, byte[] bytes)
        {
            await stream.WriteAsync(bytes);
            BytesSent += bytes.Length;
        }

        private async Task ReadAsync(NetworkStream stream, int connection)
        {
            var buffer = new byte[64 * 1024];
            var line = new List<byte>(1024);
            try
            {
                int read;
                while ((read = await stream.ReadAsync(buffer)) > 0)
                {
                    var at = Clock.Elapsed.TotalSeconds;
                    BytesReceived += read;
                    foreach (var b in buffer.AsSpan(0, read))
                    {
                        if (b != (byte)'\n')
                        {
                            line.Add(b);
                            continue;
                        }

                        if (connection == _connection)
                        {
                            Handle(line.ToArray(), at);
                        }

                        line.Clear();
                    }
                }
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException)
            {
                if (connection == _connection)
                {
                    Failure ??= e.Message;
                }
            }
        }

        private void Handle(byte[] json, double at)
        {
            using var document = JsonDocument.Parse(json);
            var e = document.RootElement;
            var type = e.GetProperty("type").GetString();
            var message = e.TryGetProperty("message", out var m) ? m.GetString() : null;
            if (type == "segment" && e.GetProperty("stream").GetString() == "system")
            {
                lock (Segments)
                {
                    Segments.Add((e.GetProperty("t1").GetDouble(), at));
                }
            }
            else if (type == "status" && message == "live_process_start" && e.GetProperty("finalize").GetBoolean() && e.GetProperty("stream").GetString() == "system")
            {
                _finalizeStartedAt = Math.Min(_finalizeStartedAt, at);
            }
            else if (type == "status" && message == "live_process_done" && !e.GetProperty("finalize").GetBoolean())
            {
                _liveDone.TrySetResult();
                if (!double.IsNaN(_resumedAt) && double.IsNaN(_liveDoneAfterResumeAt))
                {
                    _liveDoneAfterResumeAt = at;
                }
            }
            else if (type == "status" && message == "meeting_resumed")
            {
                _resumedAt = at;
                var pts = e.GetProperty("resume_pts_us");
                _resumed.TrySetResult(Math.Min(pts.GetProperty("system").GetInt64(), pts.GetProperty("mic").GetInt64()));
            }
            else if (type == "result")
            {
                _resultAt = at;
            }
            else if (type == "status" && message == "meeting_stopped")
            {
                _stoppedAt = at;
            }
            else if (type == "error")
            {
                Failure ??= message ?? Encoding.UTF8.GetString(json);
            }
        }
    }

    /// <summary>A <c>muesli node</c> process on free ports, its stderr written to a file.</summary>
    internal sealed class NodeProcess
    {
        private readonly Process _process;
        private readonly string _journal;
        private readonly bool _postgres;
        private readonly StreamWriter _log;
        private readonly string _logPath;
        private readonly Task _stderr;
        private readonly Task _stdout;
        private readonly List<string> _problems = [];
        private int _warnings;
        private int _errors;

        private NodeProcess(Process process, string journal, bool postgres, StreamWriter log, string logPath, Task<string> ready)
        {
            _process = process;
            _journal = journal;
            _postgres = postgres;
            _log = log;
            _logPath = logPath;
            _stderr = Task.Run(async () =>
            {
                while (await process.StandardError.ReadLineAsync() is { } line)
                {
                    lock (_log)
                    {
                        _log.WriteLine(line);
                        Count(line);
                    }
                }
            });
            _stdout = ready.ContinueWith(_ => process.StandardOutput.ReadToEndAsync(), TaskScheduler.Default).Unwrap();
            Ready = ready;
        }

        public Task<string> Ready { get; }

        /// <summary>host:port of the ingest listener; empty on a node without the ingest role.</summary>
        public string Ingest { get; private set; } = "";

        /// <summary>The node's cluster address, <c>akka.tcp://muesli@host:port</c>.</summary>
        public string Address { get; private set; } = "";

        /// <summary>Starts <c>dotnet muesli.dll node</c> with these arguments and waits for its <c>node_ready</c> line.</summary>
        /// <param name="journal">The node's journal, for <see cref="JournalRowsAsync"/>: a PostgreSQL connection string, or an SQLite one.</param>
        public static async Task<NodeProcess> StartAsync(string muesli, IEnumerable<string> arguments, string log, string journal, bool postgres)
        {
            var info = new ProcessStartInfo("dotnet")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                RedirectStandardInput = true,
                UseShellExecute = false,
            };
            foreach (var arg in arguments.Prepend("node").Prepend(muesli))
            {
                info.ArgumentList.Add(arg);
            }

            // The node reads MUESLI_* variables as option defaults: keep the node at its own defaults.
            foreach (var key in info.Environment.Keys.Where(k => k.StartsWith("MUESLI_", StringComparison.Ordinal)).ToArray())
            {
                info.Environment.Remove(key);
            }

            var process = Process.Start(info) ?? throw new InvalidOperationException("could not start muesli node");
            var writer = new StreamWriter(new FileStream(log, FileMode.Create, FileAccess.Write, FileShare.ReadWrite)) { AutoFlush = true };
            var node = new NodeProcess(process, journal, postgres, writer, log, ReadReadyAsync(process));
            var ready = await Task.WhenAny(node.Ready, Task.Delay(TimeSpan.FromMinutes(3)));
            if (ready != node.Ready || node.Ready.IsFaulted)
            {
                await node.StopAsync();
                throw new InvalidOperationException($"muesli node did not get ready; its log is {log}");
            }

            using var document = JsonDocument.Parse(node.Ready.Result);
            node.Ingest = document.RootElement.GetProperty("ingest").GetString() ?? "";
            node.Address = document.RootElement.GetProperty("address").GetString()!;
            return node;
        }

        /// <summary>host:port of the node's remoting, as another node's <c>--seed-nodes</c> names it.</summary>
        public string SeedAddress => Address[(Address.IndexOf('@', StringComparison.Ordinal) + 1)..];

        /// <summary>The node's process id, for /proc.</summary>
        public int Id => _process.Id;

        /// <summary>The node's stderr so far, line by line.</summary>
        public IReadOnlyList<string> LogLines()
        {
            lock (_log)
            {
                using var reader = new StreamReader(new FileStream(_logPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite));
                var lines = new List<string>();
                while (reader.ReadLine() is { } line)
                {
                    lines.Add(line);
                }

                return lines;
            }
        }

        /// <summary>SIGKILL: the node dies at once, as on a crash.</summary>
        public void Kill() => _process.Kill();

        /// <summary>The node's CPU time so far (user and system), in seconds.</summary>
        public double CpuSeconds() => ReadCpu($"/proc/{_process.Id}/stat");

        /// <summary>The node's peak resident memory (VmHWM), in bytes.</summary>
        public long PeakResidentBytes() => MemoryStatus("VmHWM:");

        /// <summary>The node's resident memory now (VmRSS), in bytes; 0 once it has exited.</summary>
        public long ResidentBytes()
        {
            try
            {
                return MemoryStatus("VmRSS:");
            }
            catch (IOException)
            {
                return 0;
            }
        }

        private long MemoryStatus(string field)
        {
            foreach (var line in File.ReadLines($"/proc/{_process.Id}/status"))
            {
                if (line.StartsWith(field, StringComparison.Ordinal))
                {
                    return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
                }
            }

            return 0;
        }

        /// <summary>CPU seconds of each of the node's threads so far, with the thread's name.</summary>
        public IReadOnlyDictionary<int, (string Name, double Seconds)> ThreadCpu()
        {
            var threads = new Dictionary<int, (string, double)>();
            foreach (var task in Directory.EnumerateDirectories($"/proc/{_process.Id}/task"))
            {
                try
                {
                    var name = File.ReadAllText(Path.Combine(task, "comm")).Trim();
                    threads[int.Parse(Path.GetFileName(task), CultureInfo.InvariantCulture)] = (name, ReadCpu(Path.Combine(task, "stat")));
                }
                catch (IOException)
                {
                    // The thread ended between the listing and the read.
                }
            }

            return threads;
        }

        /// <summary>Rows of the journal table (0 before the journal has created it).</summary>
        public async Task<long> JournalRowsAsync()
        {
            try
            {
                if (_postgres)
                {
                    await using var connection = new NpgsqlConnection(_journal);
                    await connection.OpenAsync();
                    await using var count = new NpgsqlCommand("SELECT count(*) FROM journal", connection);
                    return Convert.ToInt64(await count.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
                }

                await using var sqlite = new SqliteConnection(_journal);
                await sqlite.OpenAsync();
                await using var command = sqlite.CreateCommand();
                command.CommandText = "SELECT count(*) FROM journal";
                return Convert.ToInt64(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
            }
            catch (Exception e) when (e is SqliteException or PostgresException)
            {
                return 0;
            }
        }

        /// <summary>Warning and error lines in the node's stderr, and the first few distinct ones.</summary>
        public (int Warnings, int Errors, IReadOnlyList<string> First) LogCounts()
        {
            lock (_log)
            {
                return (_warnings, _errors, _problems.ToArray());
            }
        }

        /// <summary>SIGTERM, then SIGKILL if the node has not exited 30 s later.</summary>
        public async Task StopAsync()
        {
            if (!_process.HasExited)
            {
                using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)]))
                {
                    await kill.WaitForExitAsync();
                }

                using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(30));
                try
                {
                    await _process.WaitForExitAsync(limit.Token);
                }
                catch (OperationCanceledException)
                {
                    Console.Error.WriteLine("  the node did not exit 30 s after SIGTERM: killed");
                    _process.Kill(entireProcessTree: true);
                    await _process.WaitForExitAsync();
                }
            }

            await Task.WhenAll(_stderr, _stdout);
            await _log.DisposeAsync();
            _process.Dispose();
        }

        private static async Task<string> ReadReadyAsync(Process process)
        {
            while (await process.StandardOutput.ReadLineAsync() is { } line)
            {
                if (line.Contains("\"node_ready\"", StringComparison.Ordinal))
                {
                    return line;
                }
            }

            throw new InvalidOperationException("muesli node exited before it was ready");
        }

        private static double ReadCpu(string statPath)
        {
            // Fields after the parenthesised name: state is the first, utime the 12th and stime the 13th.
            var stat = File.ReadAllText(statPath);
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return (double.Parse(fields[11], CultureInfo.InvariantCulture) + double.Parse(fields[12], CultureInfo.InvariantCulture)) / ClockTicks;
        }

        private void Count(string line)
        {
            var warning = line.Contains(" warn: ", StringComparison.Ordinal);
            var error = line.Contains(" fail: ", StringComparison.Ordinal) || line.Contains(" crit: ", StringComparison.Ordinal);
            _warnings += warning ? 1 : 0;
            _errors += error ? 1 : 0;

            // Timestamps and connection numbers aside, the first few distinct problems.
            var text = line.Length > 13 ? line[13..] : line;
            if ((warning || error) && _problems.Count < 8 && !_problems.Any(p => Similar(p, text)))
            {
                _problems.Add(text.Length > 300 ? text[..300] + " …" : text);
            }
        }

        private static bool Similar(string a, string b)
            => a.Length >= 60 && b.Length >= 60 ? a[..60] == b[..60] : a == b;
    }
}
