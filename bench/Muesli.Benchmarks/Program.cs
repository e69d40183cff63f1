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
            """);
        return command == "help" ? 0 : 2;
}
