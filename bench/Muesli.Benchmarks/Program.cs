using System.Globalization;
using Muesli.Benchmarks;

// Benchmarks print the figures they measure; they are not tests and assert nothing.
var command = args.FirstOrDefault() ?? "help";
string Option(string name, string fallback)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
}

switch (command)
{
    case "live-loop":
        var minutes = Option("--minutes", "5,30,60,120").Split(',').Select(m => double.Parse(m, CultureInfo.InvariantCulture)).ToArray();
        var modes = Option("--modes", "incremental,full-reprocess").Split(',');
        return await LiveLoopBenchmark.RunAsync(minutes, modes);
    case "engines":
        return EnginesBenchmark.Run(double.Parse(Option("--seconds", "300"), CultureInfo.InvariantCulture));
    case "rooms":
        var interval = Option("--live-interval", "");
        var stagger = Option("--stagger", "");
        return await RoomsBenchmark.RunAsync(new RoomsOptions
        {
            Rooms = Option("--rooms", "1,10,25,50,100,150").Split(',').Select(n => int.Parse(n, CultureInfo.InvariantCulture)).ToArray(),
            Seconds = double.Parse(Option("--seconds", "120"), CultureInfo.InvariantCulture),
            Journal = Option("--journal", "") is { Length: > 0 } journal ? journal : null,
            LiveInterval = interval.Length > 0 ? double.Parse(interval, CultureInfo.InvariantCulture) : 15,
            PassLiveInterval = interval.Length > 0,
            Stagger = stagger.Length > 0 ? double.Parse(stagger, CultureInfo.InvariantCulture) : null,
            FinalizeLimit = double.Parse(Option("--finalize-limit", "300"), CultureInfo.InvariantCulture),
            Profile = args.Contains("--profile"),
            Logs = Option("--logs", "") is { Length: > 0 } logs ? logs : null,
        });
    case "cluster":
        var postgres = Option("--postgres", "");
        if (postgres.Length == 0)
        {
            Console.Error.WriteLine("cluster: --postgres CONN names the PostgreSQL server (a database is created on it per scenario)");
            return 2;
        }

        return await ClusterBenchmark.RunAsync(new ClusterOptions
        {
            Rooms = Option("--rooms", "1,10,50").Split(',', StringSplitOptions.RemoveEmptyEntries).Select(n => int.Parse(n, CultureInfo.InvariantCulture)).ToArray(),
            Seconds = double.Parse(Option("--seconds", "90"), CultureInfo.InvariantCulture),
            Postgres = postgres,
            FailoverRooms = int.Parse(Option("--failover-rooms", "4"), CultureInfo.InvariantCulture),
            FailoverSeconds = double.Parse(Option("--failover-seconds", "120"), CultureInfo.InvariantCulture),
            KillAfter = double.Parse(Option("--kill-after", "45"), CultureInfo.InvariantCulture),
            FinalizeLimit = double.Parse(Option("--finalize-limit", "300"), CultureInfo.InvariantCulture),
            Logs = Option("--logs", "") is { Length: > 0 } clusterLogs ? clusterLogs : null,
            Json = Option("--json", "") is { Length: > 0 } json ? json : null,
        });
    case "finalize-memory":
        return await FinalizeMemoryBenchmark.RunAsync(new FinalizeMemoryOptions
        {
            Minutes = Option("--minutes", "30,120").Split(',').Select(m => double.Parse(m, CultureInfo.InvariantCulture)).ToArray(),
            FinalizeLimit = double.Parse(Option("--finalize-limit", "1800"), CultureInfo.InvariantCulture),
            Logs = Option("--logs", "") is { Length: > 0 } finalizeLogs ? finalizeLogs : null,
            Json = Option("--json", "") is { Length: > 0 } finalizeJson ? finalizeJson : null,
        });
    case "transcribe":
        return await TranscribeBenchmark.RunAsync(new TranscribeOptions
        {
            Minutes = double.Parse(Option("--minutes", "60"), CultureInfo.InvariantCulture),
            Files = Option("--files", "1,4").Split(',').Select(n => int.Parse(n, CultureInfo.InvariantCulture)).ToArray(),
        });
    default:
        Console.WriteLine("""
            usage: dotnet run -c Release --project bench/Muesli.Benchmarks -- <benchmark> [options]
              live-loop [--minutes 5,30,60,120] [--modes incremental,full-reprocess]
                  the live loop interval by interval: PCM size, disk bytes read per interval, cumulative bytes
                  read and written, per-interval pass time p50/p95, wall time
              engines [--seconds 300]
                  real-time factors of the front ends (vectorised against the scalar references) and of every
                  engine with the stand-in models, the shipped Silero VAD, and the real weights of MUESLI_MODELS;
                  the share of a 30 % silent meeting that ASR hears with and without speech islands
              rooms [--rooms 1,10,25,50,100,150] [--seconds 120] [--journal CONN] [--live-interval S] [--stagger S]
                    [--finalize-limit S] [--logs DIR] [--profile]
                  real-time meeting rooms on one muesli node (built beforehand: dotnet build -c Release): for each
                  room count a fresh node (stand-in models, --devices cpu, SQLite unless --journal names PostgreSQL)
                  and that many clients sending 48 kHz audio of both streams at real time, their starts spread over
                  --stagger seconds (default one live interval); live lag p50/p95/max and its first-third/last-third
                  medians, the audio at the end that only the finalize pass transcribed, node CPU, peak RSS, journal
                  writes/s, network bytes per room, finalize time; stops after the first room count the node does not
                  keep up with (bounded: max lag <= live interval + 10 s, last-third median <= first-third + 5 s; give
                  --seconds of at least 90 so that the last third has live segments). --profile prints the node's
                  busiest threads
              cluster --postgres CONN [--rooms 1,10,50] [--seconds 90] [--failover-rooms 4] [--failover-seconds 120]
                      [--kill-after 45] [--finalize-limit S] [--logs DIR] [--json FILE]
                  three muesli nodes over loopback (A ingest+stream, the seed; B stream+inference; C inference; one CPU
                  slot on each of B and C; stand-in models) on a fresh database of the PostgreSQL server CONN and a
                  fresh data dir per scenario. For each room count, that many real-time rooms on A (the clients of
                  rooms): live lag p50/p95 as rooms defines it, and the share of chunks each inference slot ran (run_log
                  ends). Then the failover: B SIGKILLed --kill-after seconds into --failover-rooms live meetings, the
                  clients reconnecting to A at once and resending from resume_pts_us; kill -> meeting_resumed and
                  kill -> first live_process_done after it, per meeting and min/median/max
              finalize-memory [--minutes 30,120] [--finalize-limit 1800] [--logs DIR] [--json FILE]
                  one all-roles node (SQLite, stand-in models, one CPU slot) per meeting length and one room sending
                  as fast as the node takes it; the node's VmRSS every 200 ms: its peak before STOP and from STOP to
                  the result event (the finalize pass), and VmHWM
              transcribe [--minutes 60] [--files 1,4]
                  muesli transcribe's throughput in-process: one node (stand-in models, one CPU slot) transcribing tone
                  meetings of --minutes (4 speakers, 44.1 kHz stereo WAV), one file alone then that many at once; per
                  scenario the RTF (wall / audio), audio seconds per wall second, CPU seconds, and the seconds of each
                  stage: decode+resample, features, ONNX inference, merge, and the rest (messaging, PCM log I/O, waiting)
            """);
        return command == "help" ? 0 : 2;
}
