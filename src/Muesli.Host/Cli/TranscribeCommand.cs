using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Muesli.Audio;
using Muesli.Core.Protocol;
using Muesli.Core.Speakers;
using Muesli.Host.Composition;
using Muesli.Inference.Models;

namespace Muesli.Host.Cli;

/// <summary>
/// <c>muesli transcribe FILE…</c>: recordings through one embedded node, several at once, to transcript files.
/// Exit codes: 0 every file written; 1 a file failed (each failure is reported, the others still run); 2 the command
/// cannot run at all (its flags, the models, the output folder) — found before any audio is read.
/// </summary>
public static class TranscribeCommand
{
    public const int ExitFileFailed = 1;

    private static readonly Argument<FileInfo[]> Files = new("files")
    {
        Description = "Recordings: WAV (8/16/24/32-bit PCM, 32/64-bit float, extensible; any rate, 1–8 channels) or MP3",
        Arity = ArgumentArity.OneOrMore,
    };

    private static readonly Option<string> Formats = new("--format")
    {
        Description = $"Comma-separated output formats ({string.Join(", ", TranscriptFormats.All)}) or all",
        DefaultValueFactory = _ => "txt,json",
    };

    private static readonly Option<DirectoryInfo?> Out = new("--out") { Description = "Folder for the transcripts (default: beside each recording)" };
    private static readonly Option<string?> Models = new("--models") { Description = "Models folder (default: $MUESLI_MODELS)" };
    private static readonly Option<string?> AsrModel = new("--asr-model") { Description = "ASR model id or alias (default: the manifest's choice when installed)" };
    private static readonly Option<string> DiarBackend = new("--diar-backend") { Description = "senko, sortformer, or none (turns labelled by stream)", DefaultValueFactory = _ => "senko" };
    private static readonly Option<string> Language = new("--language") { Description = "Language for engines that take one", DefaultValueFactory = _ => "auto" };
    private static readonly Option<string> Device = new("--device") { Description = "auto, cpu, cuda or cuda:N", DefaultValueFactory = _ => "auto" };
    private static readonly Option<int> Threads = new("--threads") { Description = "ONNX Runtime intra-op threads on CPU (0: ONNX Runtime decides)", DefaultValueFactory = _ => 0 };
    private static readonly Option<int?> Jobs = new("--jobs", "-j") { Description = "Files transcribed at once (default: the number of inference slots)" };
    private static readonly Option<int?> Speakers = new("--speakers") { Description = "The number of speakers, when known" };
    private static readonly Option<int?> MinSpeakers = new("--min-speakers") { Description = "At least this many speakers" };
    private static readonly Option<int?> MaxSpeakers = new("--max-speakers") { Description = "At most this many speakers" };
    private static readonly Option<bool> Quiet = new("--quiet", "-q") { Description = "Print only errors" };
    private static readonly Option<bool> Verbose = new("--verbose") { Description = "Debug logs on stderr" };

    public static Command Create()
    {
        var command = new Command("transcribe", "Transcribe and diarize recordings into transcript files; progress on stderr");
        command.Arguments.Add(Files);
        foreach (var option in new Option[] { Formats, Out, Models, AsrModel, DiarBackend, Language, Device, Threads, Jobs, Speakers, MinSpeakers, MaxSpeakers, Quiet, Verbose })
        {
            command.Options.Add(option);
        }

        command.Validators.Add(result =>
        {
            foreach (var option in new[] { Jobs, Speakers, MinSpeakers, MaxSpeakers })
            {
                if (result.GetValue(option) is < 1)
                {
                    result.AddError($"{option.Name} must be at least 1");
                }
            }

            if (result.GetValue(MinSpeakers) > result.GetValue(MaxSpeakers))
            {
                result.AddError("--min-speakers is more than --max-speakers");
            }

            if (result.GetValue(Speakers) is not null && (result.GetValue(MinSpeakers) is not null || result.GetValue(MaxSpeakers) is not null))
            {
                result.AddError("--speakers fixes the count: give it alone, or --min-speakers/--max-speakers");
            }

            if (result.GetValue(DiarBackend) is { } backend && backend is not ("senko" or "sortformer" or "none"))
            {
                result.AddError($"--diar-backend '{backend}' is not one of senko, sortformer, none");
            }
        });
        command.SetAction((parse, _) => RunAsync(parse));
        return command;
    }

    private static async Task<int> RunAsync(ParseResult parse)
    {
        var quiet = parse.GetValue(Quiet);
        var verbose = parse.GetValue(Verbose);
        IReadOnlyList<string> formats;
        try
        {
            formats = TranscriptFormats.Parse(parse.GetValue(Formats)!);
        }
        catch (FormatException e)
        {
            await Console.Error.WriteLineAsync($"muesli: --format: {e.Message}");
            return Program.ExitUsage;
        }

        // Everything that would stop every file is checked before any audio is read: the models, then the output folder.
        var least = verbose ? LogLevel.Debug : quiet ? LogLevel.Error : LogLevel.Warning;
        using var logs = NodeHost.CreateLogging(verbose, least);
        var backend = parse.GetValue(DiarBackend)!;
        EngineSetup engines;
        try
        {
            engines = Engines.Resolve(
                new EngineSettings
                {
                    ModelsDirectory = parse.GetValue(Models),
                    AsrModel = parse.GetValue(AsrModel),
                    DiarizationBackend = backend == "none" ? null : backend,
                    Language = parse.GetValue(Language)!,
                    Device = parse.GetValue(Device)!,
                    Threads = parse.GetValue(Threads),
                },
                logs);
        }
        catch (ArgumentException e)
        {
            await Console.Error.WriteLineAsync($"muesli: {e.Message}");
            return Program.ExitUsage;
        }

        if (Engines.MissingFor(engines, backend == "none" ? null : backend) is { } missing)
        {
            await Console.Error.WriteLineAsync($"muesli: cannot transcribe: {missing[Engines.UnavailablePrefix.Length..]}");
            await Console.Error.WriteLineAsync(
                $"  fetch the default models with: {ModelCatalog.FetchScript} defaults --dir {ModelsHint(parse.GetValue(Models))}"
                + (backend != "none" && engines.Unavailable is null ? "  (or pass --diar-backend none)" : ""));
            return Program.ExitUsage;
        }

        // A file named twice is transcribed once.
        var files = parse.GetValue(Files)!.DistinctBy(f => f.FullName).ToArray();
        var outFolder = parse.GetValue(Out)?.FullName;
        if (outFolder is not null && OutputFolder.Problem(outFolder) is { } outProblem)
        {
            await Console.Error.WriteLineAsync($"muesli: --out: {outProblem}");
            return Program.ExitUsage;
        }

        var display = ProgressDisplay.Create(quiet);
        var failures = new List<string>();
        void Fail(string name, string message, bool named = false)
        {
            lock (failures)
            {
                failures.Add(name);
            }

            // An audio file's own error names the file already.
            Console.Error.WriteLine(named ? $"muesli: {message}" : $"muesli: {name}: {message}");
        }

        // Each input is checked before the node starts: a missing or unreadable file is reported at once.
        var jobs = new List<(FileInfo File, string Folder, AudioInput Audio, FileProgress Progress)>();
        foreach (var file in files)
        {
            var folder = outFolder ?? file.DirectoryName ?? ".";
            try
            {
                if (outFolder is null && OutputFolder.Problem(folder) is { } problem)
                {
                    Fail(file.Name, $"cannot write its transcripts beside it: {problem} (pass --out DIR)");
                    continue;
                }

                var audio = AudioFile.Open(file.FullName);
                jobs.Add((file, folder, audio, new FileProgress(file.Name, audio.DurationSeconds)));
            }
            catch (AudioFileException e)
            {
                Fail(file.Name, e.Message, named: true);
            }
        }

        var summary = new Summary();
        if (jobs.Count > 0)
        {
            var clustering = new ClusteringOptions
            {
                SpeakerCount = parse.GetValue(Speakers),
                MinSpeakers = parse.GetValue(MinSpeakers),
                MaxSpeakers = parse.GetValue(MaxSpeakers),
            };
            var clock = Stopwatch.StartNew();
            await using var transcriber = await FileTranscriber.StartAsync(engines, new FileTranscriberSettings { FinalClustering = clustering, Verbose = verbose, MinimumLog = least });
            using var slots = new SemaphoreSlim(parse.GetValue(Jobs) ?? Math.Max(1, engines.Workers.Count));
            await display.RunAsync(jobs.Select(j => j.Progress).ToArray(), () => Task.WhenAll(jobs.Select(async job =>
            {
                await slots.WaitAsync();
                try
                {
                    using var audio = job.Audio;
                    var outcome = await TranscribeOne(transcriber, job.File, audio, job.Progress);
                    if (outcome.Result is not { } result)
                    {
                        job.Progress.Finish("failed");
                        Fail(job.File.Name, $"no transcript ({string.Join("; ", outcome.Errors.DefaultIfEmpty($"exit code {outcome.ExitCode}"))})");
                        return 0;
                    }

                    var name = OutputName(job.File, job.Folder, jobs.Select(j => (j.File, j.Folder)));
                    var written = OutputFolder.WriteAll(job.Folder, name, formats.Select(f => (f, TranscriptFormats.Write(f, new TranscriptDocument(name, result, engines.Names)))).ToArray());
                    job.Progress.Finish("done");
                    summary.Add(result);
                    foreach (var path in written)
                    {
                        display.Note($"{job.File.Name}: wrote {path}");
                    }
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException or AudioFileException)
                {
                    job.Progress.Finish("failed");
                    Fail(job.File.Name, e.Message);
                }
                finally
                {
                    slots.Release();
                }

                return 0;
            })));

            if (!quiet)
            {
                await Console.Error.WriteLineAsync(summary.Line(clock.Elapsed, engines.Description));
            }
        }

        if (failures.Count > 0)
        {
            await Console.Error.WriteLineAsync($"muesli: {failures.Count} of {files.Length} file{(files.Length == 1 ? "" : "s")} failed: {string.Join(", ", failures)}");
            return ExitFileFailed;
        }

        return 0;
    }

    private static async Task<FileOutcome> TranscribeOne(FileTranscriber transcriber, FileInfo file, AudioInput audio, FileProgress progress)
    {
        progress.Started();
        return await transcriber.TranscribeAsync(new FileJob(file.Name, audio.Read)
        {
            Sent = samples => progress.Read(samples / 16000.0),
            Events = e =>
            {
                switch (e)
                {
                    case MuesliEvents.Stage stage:
                        progress.Reached(stage.Name);
                        break;
                    case MuesliEvents.PassProgress pass:
                        progress.Passed(pass.DoneSeconds);
                        break;
                }
            },
        });
    }

    /// <summary>
    /// A transcript is named after its recording without the extension (<c>call.wav</c> → <c>call.json</c>), unless two
    /// recordings would then share names in one folder: those keep their extension (<c>call.wav.json</c>, <c>call.mp3.json</c>).
    /// </summary>
    private static string OutputName(FileInfo file, string folder, IEnumerable<(FileInfo File, string Folder)> all)
    {
        var name = Path.GetFileNameWithoutExtension(file.Name);
        var clash = all.Count(other => other.Folder == folder && Path.GetFileNameWithoutExtension(other.File.Name) == name) > 1;
        return clash ? file.Name : name;
    }

    private static string ModelsHint(string? option)
        => option ?? Environment.GetEnvironmentVariable(ModelCatalog.EnvironmentVariable) ?? "~/.muesli/models";

    /// <summary>What the files gave, for the closing line.</summary>
    private sealed class Summary
    {
        private double _audio;
        private int _files;
        private int _words;
        private readonly HashSet<string> _speakers = [];

        public void Add(MuesliEvents.Result result)
        {
            lock (this)
            {
                _files++;
                _audio += result.Duration;
                _words += result.Turns.Sum(t => t.Text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length);
                foreach (var s in result.Speakers)
                {
                    _speakers.Add($"{_files}:{s.SpeakerId}");
                }
            }
        }

        public string Line(TimeSpan wall, string engines)
        {
            var rtf = _audio > 0 ? wall.TotalSeconds / _audio : 0;
            return string.Create(
                CultureInfo.InvariantCulture,
                $"transcribed {_files} file{(_files == 1 ? "" : "s")}: {_audio:F1} s of audio in {wall.TotalSeconds:F1} s (real-time factor {rtf:F3}), {_speakers.Count} speaker{(_speakers.Count == 1 ? "" : "s")}, {_words} words; {engines}");
        }
    }
}
