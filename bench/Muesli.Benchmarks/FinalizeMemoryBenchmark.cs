using System.Globalization;
using System.Text.Json;
using Muesli.TestWorld;
using static Muesli.Benchmarks.RoomsBenchmark;

namespace Muesli.Benchmarks;

/// <summary>What the <c>finalize-memory</c> benchmark runs: meeting lengths and where to put the node's log.</summary>
public sealed record FinalizeMemoryOptions
{
    /// <summary>Meeting lengths in minutes, one fresh node each.</summary>
    public IReadOnlyList<double> Minutes { get; init; } = [30, 120];

    /// <summary>How long, after STOP, the meeting may take to get <c>meeting_stopped</c>.</summary>
    public double FinalizeLimit { get; init; } = 1800;

    /// <summary>Folder for the node's stderr of every run; a temporary one when null.</summary>
    public string? Logs { get; init; }

    /// <summary>A file to write the figures to as JSON.</summary>
    public string? Json { get; init; }
}

/// <summary>
/// The node's memory while it finalizes a long meeting: one all-roles <c>muesli node</c> (SQLite, stand-in models, one
/// CPU slot) per meeting length, one room sending both streams as fast as the node takes them (a ten-minute tone meeting,
/// repeated), STOP, then the full-file pass. The node's VmRSS is sampled every 200 ms; the finalize phase runs from the
/// client's STOP to the <c>result</c> event. The full-file pass works window by window, so its peak should not grow
/// with the meeting.
/// </summary>
public static class FinalizeMemoryBenchmark
{
    private static readonly TimeSpan SampleEvery = TimeSpan.FromMilliseconds(200);

    /// <summary>One meeting length's figures.</summary>
    /// <param name="Minutes">Meeting length.</param>
    /// <param name="SendSeconds">From START to STOP going out.</param>
    /// <param name="FinalizeSeconds">From STOP to the <c>result</c> event (NaN: it never came).</param>
    /// <param name="PeakBeforeMb">Highest sampled VmRSS before STOP, in MB.</param>
    /// <param name="AtStopMb">The last VmRSS sample before STOP, in MB.</param>
    /// <param name="PeakFinalizeMb">Highest sampled VmRSS from STOP to <c>result</c>, in MB.</param>
    /// <param name="HighWaterMb">The node's VmHWM at the end, in MB.</param>
    /// <param name="Failure">Why the meeting did not finish, if it did not.</param>
    public sealed record Row(double Minutes, double SendSeconds, double FinalizeSeconds, double PeakBeforeMb, double AtStopMb, double PeakFinalizeMb, double HighWaterMb, string? Failure);

    public static async Task<int> RunAsync(FinalizeMemoryOptions options)
    {
        var muesli = MuesliDll();
        if (!File.Exists(muesli))
        {
            Console.Error.WriteLine($"muesli is not built at {muesli}; build it first (dotnet build src/Muesli.Host -c {Configuration})");
            return 1;
        }

        var work = Path.Combine(Path.GetTempPath(), $"muesli-finalize-{Environment.ProcessId}");
        var logs = options.Logs ?? Path.Combine(work, "logs");
        var models = Path.Combine(work, "models");
        Directory.CreateDirectory(logs);
        StandInModels.WriteModelsFolder(models);
        var audio = Render(0, Math.Min(600, options.Minutes.Max() * 60));

        var rows = new List<Row>();
        try
        {
            foreach (var minutes in options.Minutes)
            {
                Console.Error.WriteLine($"{minutes} min meeting at full speed …");
                rows.Add(await MeasureAsync(minutes, audio, muesli, models, logs, options));
                Print(rows[^1..]);
            }
        }
        finally
        {
            Directory.Delete(options.Logs is null ? models : work, recursive: true);
        }

        Console.WriteLine();
        Console.WriteLine($"Summary: one all-roles node, SQLite, stand-in models, one CPU slot; RSS sampled every {SampleEvery.TotalMilliseconds} ms; node stderr in {logs}");
        Print(rows);
        if (options.Json is not null)
        {
            await File.WriteAllTextAsync(options.Json, JsonSerializer.Serialize(new { finalize_memory = rows }, ClusterBenchmark.JsonOptions));
            Console.WriteLine($"Figures written to {options.Json}");
        }

        return 0;
    }

    private static async Task<Row> MeasureAsync(double minutes, short[] audio, string muesli, string models, string logs, FinalizeMemoryOptions options)
    {
        var label = minutes.ToString(CultureInfo.InvariantCulture);
        var data = Path.Combine(Path.GetDirectoryName(models)!, $"data-{label}");
        string[] arguments = ["--port", "0", "--ingest-port", "0", "--management-port", "0", "--data-dir", data, "--models", models, "--devices", "cpu", "--max-meetings", "1"];
        var node = await NodeProcess.StartAsync(muesli, arguments, Path.Combine(logs, $"finalize-{label}min.stderr.log"), SqliteJournal(data), postgres: false);
        try
        {
            var samples = new List<(double At, long Rss)>();
            using var sampling = new CancellationTokenSource();
            var sampler = SampleAsync(node, samples, sampling.Token);
            var room = new Room($"long-{label}-{Guid.NewGuid().ToString("N")[..6]}", audio, minutes * 60, 0, paced: false);
            var begin = Clock.Elapsed.TotalSeconds;
            await room.RunAsync(node.Ingest, TimeSpan.FromSeconds(options.FinalizeLimit));
            await sampling.CancelAsync();
            await sampler;

            var stop = room.StopSentAt;
            var end = double.IsNaN(room.ResultAt) ? double.PositiveInfinity : room.ResultAt;
            double Mb(IEnumerable<long> values) => values.DefaultIfEmpty(0).Max() / 1e6;
            return new Row(
                minutes,
                stop - begin,
                room.ResultAt - stop,
                Mb(samples.Where(s => s.At < stop).Select(s => s.Rss)),
                Mb(samples.Where(s => s.At < stop).Select(s => s.Rss).TakeLast(1)),
                Mb(samples.Where(s => s.At >= stop && s.At <= end).Select(s => s.Rss)),
                node.PeakResidentBytes() / 1e6,
                room.Failure);
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

    private static async Task SampleAsync(NodeProcess node, List<(double At, long Rss)> samples, CancellationToken stop)
    {
        using var timer = new PeriodicTimer(SampleEvery);
        try
        {
            do
            {
                samples.Add((Clock.Elapsed.TotalSeconds, node.ResidentBytes()));
            }
            while (await timer.WaitForNextTickAsync(stop));
        }
        catch (OperationCanceledException)
        {
            // The meeting is over.
        }
    }

    private static void Print(IReadOnlyList<Row> rows)
    {
        Console.WriteLine($"{"minutes",7} {"send s",7} {"finalize s",11} {"peak RSS before MB",19} {"RSS at STOP MB",15} {"peak RSS finalize MB",21} {"VmHWM MB",9} failure");
        foreach (var r in rows)
        {
            Console.WriteLine($"{r.Minutes,7:F0} {r.SendSeconds,7:F0} {r.FinalizeSeconds,11:F0} {r.PeakBeforeMb,19:F0} {r.AtStopMb,15:F0} {r.PeakFinalizeMb,21:F0} {r.HighWaterMb,9:F0} {r.Failure}");
        }
    }
}
