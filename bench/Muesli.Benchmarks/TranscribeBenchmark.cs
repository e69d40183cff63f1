using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Muesli.Audio;
using Muesli.Host.Composition;
using Muesli.Inference;
using Muesli.TestWorld;

namespace Muesli.Benchmarks;

/// <summary>What the <c>transcribe</c> benchmark runs: the meeting length and how many files go at once.</summary>
public sealed record TranscribeOptions
{
    /// <summary>The length of every tone meeting, in minutes.</summary>
    public double Minutes { get; init; } = 60;

    /// <summary>Files transcribed at once, one scenario each (different seeds, one node).</summary>
    public IReadOnlyList<int> Files { get; init; } = [1, 4];
}

/// <summary>
/// The throughput of <c>muesli transcribe</c>, split by stage: tone meetings (4 speakers, 44.1 kHz stereo WAV) are
/// transcribed in-process by one <see cref="FileTranscriber"/> node (stand-in models, one CPU slot), one file alone and
/// then several at once, as the command does with <c>--jobs</c>. The stages come from <see cref="StageClock"/>: decode
/// and resample (the reads of <see cref="AudioInput"/>, timed here), features (the log-mel/fbank front ends), inference
/// (ONNX Runtime runs), merge (speakers to words, turns, the final pass's relabelling and stitching); the rest is the
/// wall time left over (actor messaging, the PCM log's I/O, waiting). Stage seconds are summed over threads, so with
/// several files at once on few cores they may add up to more than the wall time and the rest goes negative.
/// </summary>
public static class TranscribeBenchmark
{
    private static readonly string[] Stages = [StageClock.Decode, StageClock.Features, StageClock.Inference, StageClock.Merge];

    /// <summary>One scenario's figures.</summary>
    /// <param name="Files">Files transcribed at once.</param>
    /// <param name="AudioSeconds">Audio of all of them together.</param>
    /// <param name="WallSeconds">From the first file sent to the last result.</param>
    /// <param name="CpuSeconds">The process's CPU time over the same span.</param>
    /// <param name="StageSeconds">Seconds in each stage (decode, features, inference, merge), over all threads.</param>
    /// <param name="Turns">Turns in the results, all files together.</param>
    /// <param name="Load">The machine's one-minute load average at the end (other processes compete for the cores).</param>
    /// <param name="Failure">Why a file gave no result, if one did not.</param>
    public sealed record Row(int Files, double AudioSeconds, double WallSeconds, double CpuSeconds, IReadOnlyList<double> StageSeconds, int Turns, double Load, string? Failure)
    {
        public double Rtf => WallSeconds / AudioSeconds;

        public double AudioPerWall => AudioSeconds / WallSeconds;

        public double RestSeconds => WallSeconds - StageSeconds.Sum();
    }

    public static async Task<int> RunAsync(TranscribeOptions options)
    {
        var work = Directory.CreateTempSubdirectory("muesli-bench-transcribe-").FullName;
        try
        {
            var models = Path.Combine(work, "models");
            StandInModels.WriteModelsFolder(models);
            var seconds = options.Minutes * 60;
            var files = new List<string>();
            for (var i = 0; i < options.Files.Max(); i++)
            {
                Console.Error.WriteLine($"writing tone meeting {i + 1} ({options.Minutes} min, 4 speakers, 44.1 kHz stereo WAV) …");
                files.Add(Write(Path.Combine(work, $"meeting-{i + 1}"), seconds, seed: i + 1));
            }

            var warmUp = Write(Path.Combine(work, "warm-up"), 30, seed: 99);
            using var logs = LoggerFactory.Create(b => b.AddConsole().SetMinimumLevel(LogLevel.Warning));
            var engines = Engines.Resolve(new EngineSettings { ModelsDirectory = models, Device = "cpu" }, logs);
            await using var transcriber = await FileTranscriber.StartAsync(engines, new FileTranscriberSettings());
            Console.Error.WriteLine("warming up (the node starts, the models load) …");
            await MeasureAsync(transcriber, [warmUp]);

            Console.WriteLine($"CPU: {Environment.ProcessorCount} logical cores; {engines.Description}; one inference slot; tone meetings of {options.Minutes:0.#} min, 4 speakers, 44.1 kHz stereo WAV");
            Console.WriteLine("RTF = wall seconds / audio seconds (all files together); stage seconds are summed over threads; rest = wall - stages");
            var rows = new List<Row>();
            foreach (var count in options.Files)
            {
                Console.Error.WriteLine($"{count} file(s) at once …");
                rows.Add(await MeasureAsync(transcriber, files.Take(count).ToArray()));
                Print(rows[^1..]);
            }

            Console.WriteLine();
            Console.WriteLine("Summary");
            Print(rows);
            return rows.Any(r => r.Failure is not null) ? 1 : 0;
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    private static string Write(string folder, double seconds, int seed)
    {
        ToneMeetingGenerator.Generate(new MeetingSpec { DurationSeconds = seconds, Speakers = 4, Seed = seed })
            .WriteTo(folder, new Muesli.Core.AudioFormat(44100, 2));
        return Path.Combine(folder, "meeting.wav");
    }

    private static async Task<Row> MeasureAsync(FileTranscriber transcriber, IReadOnlyList<string> files)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var inputs = files.Select(AudioFile.Open).ToArray();
        try
        {
            var audioSeconds = inputs.Sum(i => i.DurationSeconds ?? 0);
            var process = Process.GetCurrentProcess();
            var cpuBefore = process.TotalProcessorTime;
            StageClock.Reset();
            var clock = Stopwatch.StartNew();
            var outcomes = await Task.WhenAll(inputs.Select((input, i) => transcriber.TranscribeAsync(new FileJob($"meeting-{i + 1}", buffer =>
            {
                using var timing = StageClock.Time(StageClock.Decode);
                return input.Read(buffer);
            }))));
            var wall = clock.Elapsed.TotalSeconds;
            process.Refresh();
            var cpu = (process.TotalProcessorTime - cpuBefore).TotalSeconds;
            var stages = Stages.Select(s => StageClock.Total(s).TotalSeconds).ToArray();
            var failure = outcomes.FirstOrDefault(o => o.Result is null) is { } failed
                ? $"no result (exit code {failed.ExitCode}: {string.Join("; ", failed.Errors)})"
                : null;
            return new Row(files.Count, audioSeconds, wall, cpu, stages, outcomes.Sum(o => o.Result?.Turns.Count ?? 0), LoadAverage(), failure);
        }
        finally
        {
            foreach (var input in inputs)
            {
                input.Dispose();
            }
        }
    }

    private static double LoadAverage()
    {
        try
        {
            return double.Parse(File.ReadAllText("/proc/loadavg").Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return double.NaN;
        }
    }

    private static void Print(IReadOnlyList<Row> rows)
    {
        Console.WriteLine(
            $"{"files",5} {"audio s",8} {"wall s",7} {"RTF",7} {"audio s/wall s",14} {"CPU s",7} {"decode s",9} {"features s",11} {"inference s",12} {"merge s",8} {"rest s",7} {"turns",6} {"load",5} failure");
        foreach (var r in rows)
        {
            var s = r.StageSeconds;
            Console.WriteLine(
                $"{r.Files,5} {r.AudioSeconds,8:F0} {r.WallSeconds,7:F1} {r.Rtf,7:F4} {r.AudioPerWall,14:F1} {r.CpuSeconds,7:F1} {s[0],9:F1} {s[1],11:F1} {s[2],12:F1} {s[3],8:F2} {r.RestSeconds,7:F1} {r.Turns,6} {r.Load,5:F1} {r.Failure}");
        }
    }
}
