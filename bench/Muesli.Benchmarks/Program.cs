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
            """);
        return command == "help" ? 0 : 2;
}
