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

    /// <summary>
    /// Parses the payload: <c>sample_rate</c>, <c>channels</c>, optional <c>system_*</c> / <c>mic_*</c> overrides
    /// (falling back to the shared values, defaults 48000 and 1), optional <c>meeting_id</c> (letters, digits,
    /// '-', '_', '.', at most 128). Returns false with a message naming the bad field for non-JSON input, a
    /// non-object, a rate outside [8000, 192000], channels outside [1, 8], or a bad meeting id.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> json, out MeetingStart? start, out string error)
        => throw new NotImplementedException();
}
