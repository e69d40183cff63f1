using System.Diagnostics;
using Akka.Actor;
using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Muesli.Actors;
using Muesli.Actors.Hosting;
using Muesli.Actors.Sharding;
using Muesli.Actors.Streams;
using Muesli.Actors.Transcripts;
using Muesli.Core;
using Muesli.Core.Merge;
using Muesli.Core.Protocol;
using Muesli.Core.Windows;
using Muesli.Inference;
using Muesli.Inference.Asr;
using Muesli.Inference.Models;
using Muesli.TestWorld;

namespace Muesli.Benchmarks;

/// <summary>
/// The live loop of one stream, measured interval by interval: a tone meeting is appended 15 s at a time (faster than
/// real time), and after each interval the benchmark waits for the live pass to commit. Real actors, a real SQLite
/// journal, the stand-in ASR model; incremental mode against the original's full reprocess.
/// </summary>
public static class LiveLoopBenchmark
{
    private const int Bps = 32000;

    public sealed record Row(string Mode, double Minutes, long PcmBytes, double[] ReadPerInterval, double[] PassSeconds, long BytesRead, long BytesWritten, long JournalBytes, TimeSpan Wall);

    public static async Task<int> RunAsync(IReadOnlyList<double> minutes, IReadOnlyList<string> modes)
    {
        var models = Path.Combine(Path.GetTempPath(), $"muesli-bench-models-{Environment.ProcessId}");
        StandInModels.WriteModelsFolder(models);
        var rows = new List<Row>();
        foreach (var m in minutes)
        {
            var meeting = ToneMeetingGenerator.Generate(new MeetingSpec { DurationSeconds = m * 60, Speakers = 1, Seed = 42 });
            var audio = meeting.Render("system", AudioFormat.Asr);
            foreach (var mode in modes)
            {
                Console.Error.WriteLine($"{mode}, {m} min …");
                var row = await MeasureAsync(mode, m, audio, models);
                rows.Add(row);
                Print([row], header: rows.Count == 1);
            }
        }

        Console.WriteLine();
        Console.WriteLine("Summary");
        Print(rows, header: true);
        Targets(rows);
        Directory.Delete(models, recursive: true);
        return 0;
    }

    private static async Task<Row> MeasureAsync(string mode, double minutes, short[] audio, string models)
    {
        var dir = Path.Combine(Path.GetTempPath(), $"muesli-bench-{Guid.NewGuid():N}");
        var meeting = new MeetingOptions
        {
            OutputDirectory = dir,
            LabelByStream = true,
            Windows = new WindowOptions { FullReprocess = mode == "full-reprocess" },
        };
        var catalog = ModelCatalog.Open(models);
        var sessions = new OnnxSessionFactory(DeviceOptions.Cpu);
        var asr = catalog.Resolve("asr", null);
        var node = new MuesliNodeOptions
        {
            SqlitePath = Path.Combine(dir, "journal.db"),
            Meeting = meeting,
            Workers = [new WorkerSlot("cpu", "CPU", () => new TranscriptionPipeline(AsrEngines.Create(asr, sessions), null, new MergeOptions()))],
        };
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.ClearProviders();
        builder.Services.AddAkka("bench", (akka, _) =>
        {
            akka.AddHocon("akka.stdout-loglevel = OFF\nakka.loglevel = WARNING", HoconAddMode.Prepend);
            akka.WithMuesli(node);
        });
        using var host = builder.Build();
        await host.StartAsync();
        var regions = host.Services.GetRequiredService<ActorRegistry>().Regions();

        var meetingId = "bench";
        var streamId = EntityIds.StreamId(meetingId, StreamKind.System);
        var timeout = TimeSpan.FromMinutes(10);
        await regions.Transcripts.Ask<TranscriptCommands.MeetingReady>(new TranscriptCommands.OpenMeeting(meetingId, [StreamKind.System], [StreamKind.System], true), timeout);
        await regions.Streams.Ask<StreamCommands.StreamReady>(new StreamCommands.OpenStream(streamId, meetingId, StreamKind.System, AudioFormat.Asr, true), timeout);

        var interval = (int)(meeting.Windows.LiveIntervalSeconds * 16000);
        const int frame = 1600;
        var reads = new List<double>();
        var wall = Stopwatch.StartNew();
        long lastRead = 0;
        for (var start = 0; start + interval <= audio.Length; start += interval)
        {
            for (var f = start; f < start + interval; f += frame)
            {
                var payload = new byte[frame * 2];
                Buffer.BlockCopy(audio, f * 2, payload, 0, payload.Length);
                await regions.Streams.Ask<StreamCommands.AudioAppended>(new StreamCommands.AppendAudio(streamId, (long)f * 1_000_000 / 16000, payload), timeout);
            }

            var recorded = (long)(start + interval) * 2;
            StreamCommands.StreamStatus status;
            do
            {
                status = await regions.Streams.Ask<StreamCommands.StreamStatus>(new StreamCommands.GetStreamStatus(streamId), timeout);
            }
            while (status.LastProcessedByte < recorded || status.ChunkInFlight is not null);

            reads.Add(status.Disk!.BytesRead - lastRead);
            lastRead = status.Disk.BytesRead;
        }

        wall.Stop();
        var final = await regions.Streams.Ask<StreamCommands.StreamStatus>(new StreamCommands.GetStreamStatus(streamId), timeout);
        await host.StopAsync();
        var journal = Directory.GetFiles(dir, "journal.db*").Sum(f => new FileInfo(f).Length);
        Directory.Delete(dir, recursive: true);
        return new Row(mode, minutes, final.RecordedBytes, reads.ToArray(), final.PassSeconds.ToArray(), final.Disk!.BytesRead, final.Disk.BytesWritten, journal, wall.Elapsed);
    }

    private static void Print(IEnumerable<Row> rows, bool header)
    {
        if (header)
        {
            Console.WriteLine($"{"mode",-15} {"min",5} {"PCM MB",8} {"read/int MB (first→last)",26} {"cum read MB",12} {"cum written MB",15} {"journal MB",11} {"pass p50 ms",12} {"pass p95 ms",12} {"wall s",8}");
        }

        foreach (var r in rows)
        {
            var perInterval = $"{r.ReadPerInterval.FirstOrDefault() / 1e6:F2} → {r.ReadPerInterval.LastOrDefault() / 1e6:F2}";
            Console.WriteLine($"{r.Mode,-15} {r.Minutes,5} {r.PcmBytes / 1e6,8:F1} {perInterval,26} {r.BytesRead / 1e6,12:F1} {r.BytesWritten / 1e6,15:F1} {r.JournalBytes / 1e6,11:F2} {Percentile(r.PassSeconds, 0.5) * 1000,12:F1} {Percentile(r.PassSeconds, 0.95) * 1000,12:F1} {r.Wall.TotalSeconds,8:F1}");
        }
    }

    private static void Targets(List<Row> rows)
    {
        Console.WriteLine();
        foreach (var r in rows)
        {
            // Per-interval pass time around minute 5 against the last minutes of the run.
            var perMinute = 60 / 15;
            var early = r.PassSeconds.Skip(3 * perMinute).Take(3 * perMinute).ToArray();
            var late = r.PassSeconds.TakeLast(3 * perMinute).ToArray();
            if (early.Length == 0 || late.Length == 0 || r.Minutes < 10)
            {
                continue;
            }

            Console.WriteLine($"{r.Mode,-15} {r.Minutes,5} min: pass p50 at minutes 3–6 {Percentile(early, 0.5) * 1000:F1} ms, in the last 3 minutes {Percentile(late, 0.5) * 1000:F1} ms, ratio {Percentile(late, 0.5) / Percentile(early, 0.5):F2}; disk read per interval at the end {r.ReadPerInterval.Last() / 1e6:F2} MB");
        }

        if (rows.Where(r => r.Mode == "full-reprocess").MaxBy(r => r.Minutes) is { } full && full.PassSeconds.Length > 8)
        {
            var (slope, r2) = LinearFit(full.PassSeconds);
            Console.WriteLine($"full-reprocess {full.Minutes} min: pass time grows {slope * 4 * 1000:F2} ms per minute of meeting (linear fit R² {r2:F3})");
        }
    }

    private static (double Slope, double R2) LinearFit(double[] y)
    {
        var n = y.Length;
        var xs = Enumerable.Range(0, n).Select(i => (double)i).ToArray();
        double mx = xs.Average(), my = y.Average();
        var sxy = xs.Zip(y, (x, v) => (x - mx) * (v - my)).Sum();
        var sxx = xs.Sum(x => (x - mx) * (x - mx));
        var slope = sxy / sxx;
        var ssTot = y.Sum(v => (v - my) * (v - my));
        var ssRes = xs.Zip(y, (x, v) => Math.Pow(v - (my + (slope * (x - mx))), 2)).Sum();
        return (slope, 1 - (ssRes / ssTot));
    }

    private static double Percentile(IReadOnlyList<double> values, double p)
    {
        if (values.Count == 0)
        {
            return double.NaN;
        }

        var sorted = values.Order().ToArray();
        return sorted[(int)Math.Min(sorted.Length - 1, Math.Round(p * (sorted.Length - 1)))];
    }
}
