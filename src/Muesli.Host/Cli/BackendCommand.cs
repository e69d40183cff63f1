using System.CommandLine;
using System.Runtime.InteropServices;
using System.Text;
using Akka.Actor;
using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Muesli.Actors;
using Muesli.Actors.Hosting;
using Muesli.Actors.Sessions;
using Muesli.Audio;
using Muesli.Core.Merge;
using Muesli.Core.Protocol;
using Muesli.Core.Windows;
using Muesli.Host.Composition;

namespace Muesli.Host.Cli;

/// <summary><c>muesli backend</c>: the drop-in for the original backend process — frames on stdin, JSONL on stdout.</summary>
public static class BackendCommand
{
    private static readonly Option<DirectoryInfo> OutputDir = new("--output-dir")
    {
        Description = "Folder for the captures (system.pcm, mic.pcm, system.wav, mic.wav) and the journal",
        DefaultValueFactory = _ => new DirectoryInfo("."),
    };

    private static readonly Option<string> TranscribeStream = new Option<string>("--transcribe-stream")
    {
        Description = "Which streams are transcribed",
        DefaultValueFactory = _ => "system",
    }.AcceptOnlyFromAmong("system", "mic", "both");

    private static readonly Option<string> DiarBackend = new Option<string>("--diar-backend")
    {
        Description = "Speaker diarization engine",
        DefaultValueFactory = _ => "senko",
    }.AcceptOnlyFromAmong("senko", "sortformer");

    private static readonly Option<string?> AsrModel = new("--asr-model")
    {
        Description = "ASR model id or alias from the models manifest (default: Parakeet TDT 0.6b v3 when installed)",
    };

    private static readonly Option<string> Language = new("--language")
    {
        Description = "Spoken language, or auto",
        DefaultValueFactory = _ => "auto",
    };

    private static readonly Option<double> GapThreshold = Seconds("--gap-threshold", 0.8, "A silence longer than this starts a new turn");
    private static readonly Option<double> SpeakerTolerance = Seconds("--speaker-tolerance", 0.25, "How far a word may lie from the nearest speaker segment");
    private static readonly Option<double> LiveInterval = Seconds("--live-interval", 15, "New audio needed before a live pass");
    private static readonly Option<double> LiveMinSeconds = Seconds("--live-min-seconds", 10, "Stream duration needed before the first live pass");
    private static readonly Option<double> FinalizeLag = Seconds("--finalize-lag", 5, "Seconds at the end of a live window that stay partial");
    private static readonly Option<double> ContextSeconds = Seconds("--context-seconds", 30, "Processed audio re-read before the new audio of a live pass");
    private static readonly Option<double> MaxGapSeconds = Seconds("--max-gap-seconds", 3600, "Largest PTS jump filled with silence; larger jumps are rejected");

    private static readonly Option<bool> EmitMeters = Flag("--emit-meters", "Emit a meter event (rms) per audio frame");
    private static readonly Option<bool> KeepWav = Flag("--keep-wav", "Keep system.wav / mic.wav at the original rate");
    private static readonly Option<bool> KeepPcm = Flag("--keep-pcm", "Keep system.pcm / mic.pcm (16 kHz mono) after finalize");
    private static readonly Option<bool> NoLive = Flag("--no-live", "No live passes: transcribe once, on stop");
    private static readonly Option<bool> LiveAsrOnly = Flag("--live-asr-only", "Label turns by stream (System / Microphone), no diarization");
    private static readonly Option<bool> Verbose = Flag("--verbose", "Debug logs on stderr");
    private static readonly Option<bool> EmitWords = Flag("--emit-words", "Segment events carry each word's text, t0 and t1");
    private static readonly Option<bool> FullReprocess = Flag("--full-reprocess", "Every live pass re-reads the whole stream from byte 0 (the original O(T²) behaviour)");

    private static readonly Option<string?> Models = new("--models")
    {
        Description = $"Models folder (default: ${Muesli.Inference.Models.ModelCatalog.EnvironmentVariable})",
    };

    private static readonly Option<string> Device = new("--device")
    {
        Description = "auto (CUDA when it loads, else CPU), cpu, cuda or cuda:N",
        DefaultValueFactory = _ => "auto",
    };

    private static readonly Option<int> Threads = new("--threads")
    {
        Description = "ONNX Runtime intra-op threads on CPU (0: its default)",
        DefaultValueFactory = _ => 0,
    };

    /// <param name="stdout">Where the protocol's JSONL goes: the process's standard output, and nothing else writes there.</param>
    public static Command Create(TextWriter stdout)
    {
        var command = new Command("backend", "Serve one meeting: frames on stdin, JSONL events on stdout, logs on stderr");
        foreach (var option in new Option[]
                 {
                     OutputDir, TranscribeStream, DiarBackend, AsrModel, Language, GapThreshold, SpeakerTolerance, LiveInterval,
                     LiveMinSeconds, FinalizeLag, EmitMeters, KeepWav, KeepPcm, NoLive, LiveAsrOnly, Verbose, ContextSeconds,
                     FullReprocess, EmitWords, Models, Device, Threads, MaxGapSeconds,
                 })
        {
            command.Options.Add(option);
        }

        command.SetAction((parse, cancel) => RunAsync(parse, stdout));
        return command;
    }

    private static async Task<int> RunAsync(ParseResult parse, TextWriter stdout)
    {
        var merge = new MergeOptions { GapThreshold = parse.GetValue(GapThreshold), SpeakerTolerance = parse.GetValue(SpeakerTolerance) };
        var run = new MeetingRun
        {
            OutputDirectory = parse.GetValue(OutputDir)!.FullName,
            Verbose = parse.GetValue(Verbose),
            LiveAsrOnly = parse.GetValue(LiveAsrOnly),
            Engines = new EngineSettings
            {
                ModelsDirectory = parse.GetValue(Models),
                AsrModel = parse.GetValue(AsrModel),
                DiarizationBackend = parse.GetValue(LiveAsrOnly) ? null : parse.GetValue(DiarBackend)!,
                Language = parse.GetValue(Language)!,
                Device = parse.GetValue(Device)!,
                Threads = parse.GetValue(Threads),
                Merge = merge,
            },
            Meeting = new MeetingOptions
            {
                Transcribed = parse.GetValue(TranscribeStream) switch
                {
                    "mic" => new HashSet<StreamKind> { StreamKind.Mic },
                    "both" => new HashSet<StreamKind> { StreamKind.System, StreamKind.Mic },
                    _ => new HashSet<StreamKind> { StreamKind.System },
                },
                Windows = new WindowOptions
                {
                    LiveIntervalSeconds = parse.GetValue(LiveInterval),
                    LiveMinSeconds = parse.GetValue(LiveMinSeconds),
                    ContextSeconds = parse.GetValue(ContextSeconds),
                    FullReprocess = parse.GetValue(FullReprocess),
                },
                Merge = merge,
                FinalizeLagSeconds = parse.GetValue(FinalizeLag),
                Live = !parse.GetValue(NoLive),
                KeepPcm = parse.GetValue(KeepPcm),
                EmitWords = parse.GetValue(EmitWords),
                Recorder = new RecorderOptions { KeepWav = parse.GetValue(KeepWav), MaxGapSeconds = parse.GetValue(MaxGapSeconds) },
            },
            Session = new SessionSettings { EmitMeters = parse.GetValue(EmitMeters) },
        };

        var input = new InterruptibleInput(Console.OpenStandardInput());
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, input.OnSignal);
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, input.OnSignal);
        var code = await MeetingRunner.RunAsync(run, input, new JsonLinesOutput(stdout), input.Killed);
        await stdout.FlushAsync();
        return code;
    }

    private static Option<double> Seconds(string name, double value, string description) => new(name)
    {
        Description = $"{description} (seconds, default {value})",
        DefaultValueFactory = _ => value,
        Validators =
        {
            r =>
            {
                if (r.GetValueOrDefault<double>() is var v && (v < 0 || double.IsNaN(v) || double.IsInfinity(v)))
                {
                    r.AddError($"{name} must be a finite number ≥ 0, got {v}");
                }
            },
        },
    };

    private static Option<bool> Flag(string name, string description) => new(name) { Description = description };
}
