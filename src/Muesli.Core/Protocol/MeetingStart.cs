using System.Globalization;
using System.Text.Json;

namespace Muesli.Core.Protocol;

/// <summary>The MEETING_START payload: per-stream formats, an optional meeting id, and the raw object for echo.</summary>
public sealed record MeetingStart(AudioFormat System, AudioFormat Mic, string? MeetingId, JsonElement Meta)
{
    public const int DefaultSampleRate = 48000;
    public const int DefaultChannels = 1;
    public const int MinSampleRate = 8000;
    public const int MaxSampleRate = 192000;
    public const int MaxChannels = 8;

    public AudioFormat FormatOf(StreamKind stream) => stream == StreamKind.System ? System : Mic;

    public const int MaxMeetingIdLength = 128;

    private const string ErrorPrefix = "invalid_meeting_start: ";

    /// <summary>
    /// Parses the payload: <c>sample_rate</c>, <c>channels</c>, optional <c>system_*</c> / <c>mic_*</c> overrides
    /// (falling back to the shared values, defaults 48000 and 1), optional <c>meeting_id</c> (letters, digits,
    /// '-', '_', '.', at most 128). Returns false with a message naming the bad field for non-JSON input, a
    /// non-object, a rate outside [8000, 192000], channels outside [1, 8], or a bad meeting id. An empty payload
    /// is an empty object, as the original backend read it. A JSON null counts as an absent field.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> json, out MeetingStart? start, out string error)
    {
        start = null;
        JsonElement meta;
        try
        {
            using var document = json.IsEmpty ? JsonDocument.Parse("{}") : JsonDocument.Parse(json.ToArray());
            meta = document.RootElement.Clone();
        }
        catch (JsonException e)
        {
            error = $"{ErrorPrefix}not JSON ({e.Message})";
            return false;
        }

        if (meta.ValueKind != JsonValueKind.Object)
        {
            error = $"{ErrorPrefix}expected a JSON object, got {meta.ValueKind.ToString().ToLowerInvariant()}";
            return false;
        }

        if (!TryReadInt(meta, "sample_rate", DefaultSampleRate, MinSampleRate, MaxSampleRate, out var rate, out error)
            || !TryReadInt(meta, "channels", DefaultChannels, 1, MaxChannels, out var channels, out error)
            || !TryReadInt(meta, "system_sample_rate", rate, MinSampleRate, MaxSampleRate, out var systemRate, out error)
            || !TryReadInt(meta, "system_channels", channels, 1, MaxChannels, out var systemChannels, out error)
            || !TryReadInt(meta, "mic_sample_rate", rate, MinSampleRate, MaxSampleRate, out var micRate, out error)
            || !TryReadInt(meta, "mic_channels", channels, 1, MaxChannels, out var micChannels, out error)
            || !TryReadMeetingId(meta, out var meetingId, out error))
        {
            return false;
        }

        start = new MeetingStart(
            new AudioFormat(systemRate, systemChannels), new AudioFormat(micRate, micChannels), meetingId, meta);
        error = "";
        return true;
    }

    private static bool TryReadInt(
        JsonElement meta, string name, int fallback, int min, int max, out int value, out string error)
    {
        value = fallback;
        error = "";
        if (!meta.TryGetProperty(name, out var field) || field.ValueKind == JsonValueKind.Null)
        {
            return true;
        }

        // The original read these with Python's int(), which also takes a number written as a string.
        var number = field.ValueKind switch
        {
            JsonValueKind.Number => field.TryGetDouble(out var parsed) ? parsed : double.PositiveInfinity,
            JsonValueKind.String when long.TryParse(
                field.GetString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed) => parsed,
            _ => double.NaN,
        };
        if (double.IsNaN(number) || number != Math.Floor(number))
        {
            error = $"{ErrorPrefix}{name} {Shown(field)} is not a whole number";
            return false;
        }

        if (number < min || number > max)
        {
            error = $"{ErrorPrefix}{name} {Shown(field)} is outside {min}..{max}";
            return false;
        }

        value = (int)number;
        return true;
    }

    private static bool TryReadMeetingId(JsonElement meta, out string? meetingId, out string error)
    {
        meetingId = null;
        error = "";
        if (!meta.TryGetProperty("meeting_id", out var field) || field.ValueKind == JsonValueKind.Null)
        {
            return true;
        }

        var id = field.ValueKind == JsonValueKind.String ? field.GetString() : null;
        if (id is null || !IsMeetingId(id))
        {
            error = $"{ErrorPrefix}meeting_id {Shown(field)} must be 1..{MaxMeetingIdLength} "
                + "letters, digits, '-', '_' or '.'";
            return false;
        }

        meetingId = id;
        return true;
    }

    /// <summary>The offending value as it was written, cut short so that an error line stays one short line.</summary>
    private static string Shown(JsonElement field)
    {
        const int MaxShown = 40;
        var raw = field.GetRawText();
        return raw.Length <= MaxShown ? raw : string.Concat(raw.AsSpan(0, MaxShown), "…");
    }

    // The id names directories, so "." and ".." (all dots) are refused with the rest.
    private static bool IsMeetingId(string id)
        => id.Length is > 0 and <= MaxMeetingIdLength
            && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')
            && !id.All(c => c == '.');
}
