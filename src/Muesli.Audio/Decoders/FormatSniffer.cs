using System.Text;

namespace Muesli.Audio.Decoders;

/// <summary>Picks the decoder by the file's first bytes, never by its name.</summary>
internal static class FormatSniffer
{
    private const int HeadBytes = 64;

    // How far past an ID3 tag the first MPEG frame is looked for (some taggers pad after the tag).
    private const int MpegSearchBytes = 64 * 1024;

    private static readonly byte[] AsfGuid = [0x30, 0x26, 0xB2, 0x75, 0x8E, 0x66, 0xCF, 0x11, 0xA6, 0xD9, 0x00, 0xAA, 0x00, 0x62, 0xCE, 0x6C];

    /// <summary>The decoder for <paramref name="file"/>, its header read; throws <see cref="AudioFileException"/> otherwise.</summary>
    public static IAudioDecoder Open(string path, FileStream file)
    {
        var head = Head(file, 0, HeadBytes);
        if (head.Length >= 4 && (Starts(head, "RIFF") || Starts(head, "RF64") || Starts(head, "BW64")))
        {
            if (head.Length < 12)
            {
                throw AudioProblems.Truncated(path, $"the file ends after {head.Length} bytes, inside its RIFF header");
            }

            return Encoding.ASCII.GetString(head, 8, 4) == "WAVE"
                ? WavDecoder.Open(path, file)
                : throw AudioProblems.Unsupported(path, $"a RIFF file of type '{Encoding.ASCII.GetString(head, 8, 4)}', not WAVE");
        }

        if (MpegHeader.Parse(head) is { } raw)
        {
            return Mp3Decoder.Open(path, file, 0, raw);
        }

        var offset = 0L;
        if (head.Length >= 10 && Starts(head, "ID3"))
        {
            // ID3v2: a 10-byte header, a size in 7-bit bytes, and a 10-byte footer when flag 0x10 is set.
            offset = 10 + ((head[6] & 0x7F) << 21 | (head[7] & 0x7F) << 14 | (head[8] & 0x7F) << 7 | (head[9] & 0x7F))
                     + ((head[5] & 0x10) != 0 ? 10 : 0);
            if (offset >= file.Length)
            {
                throw AudioProblems.Truncated(path, $"it holds an ID3 tag ({file.Length} bytes) but no audio after it");
            }

            if (FindMpegFrame(file, offset) is { } found)
            {
                return Mp3Decoder.Open(path, file, found.Start, found.First);
            }

            head = Head(file, offset, HeadBytes);
        }

        if (Unsupported(head) is { } what)
        {
            throw AudioProblems.Unsupported(path, what);
        }

        if (offset > 0)
        {
            throw AudioProblems.Truncated(path, "it holds an ID3 tag, as MP3 files do, but no MP3 frame after it");
        }

        var shown = Convert.ToHexString(head.AsSpan(0, Math.Min(head.Length, 8)));
        throw AudioProblems.Unreadable(
            path, $"its first bytes ({shown}) match no audio format this program knows. {AudioProblems.SupportedAndHint(path)}");
    }

    private static string? Unsupported(byte[] head)
    {
        var text = Encoding.Latin1.GetString(head);
        return text switch
        {
            _ when text.StartsWith("fLaC", StringComparison.Ordinal) => "FLAC audio",
            _ when text.Length >= 8 && text[4..8] == "ftyp" => "an MP4/M4A file (AAC or ALAC audio)",
            _ when text.StartsWith("OggS", StringComparison.Ordinal) => text.Contains("OpusHead", StringComparison.Ordinal)
                ? "Ogg Opus audio"
                : text.Contains("\u0001vorbis", StringComparison.Ordinal) ? "Ogg Vorbis audio"
                : text.Contains("\u007FFLAC", StringComparison.Ordinal) ? "Ogg FLAC audio"
                : "an Ogg file",
            _ when head.AsSpan().StartsWith(AsfGuid) => "WMA/ASF audio",
            _ when text.StartsWith("FORM", StringComparison.Ordinal) && text.Length >= 12 && text[8..12] is "AIFF" or "AIFC" => "AIFF audio",
            _ when text.StartsWith("\u001A\u0045\u00DF\u00A3", StringComparison.Ordinal) => "Matroska/WebM media",
            _ when text.StartsWith("caff", StringComparison.Ordinal) => "CAF audio",
            _ when text.StartsWith(".snd", StringComparison.Ordinal) => "Sun AU audio",
            _ when text.StartsWith("#!AMR", StringComparison.Ordinal) => "AMR audio",
            _ when text.StartsWith("wvpk", StringComparison.Ordinal) => "WavPack audio",
            _ when text.StartsWith("MAC ", StringComparison.Ordinal) => "Monkey's Audio",
            _ when head.Length >= 2 && head[0] == 0xFF && (head[1] & 0xF6) == 0xF0 => "AAC audio (ADTS)",
            _ => null,
        };
    }

    /// <summary>The first MPEG frame header at or after <paramref name="from"/> that the next frame's header confirms.</summary>
    private static (long Start, MpegHeader First)? FindMpegFrame(FileStream file, long from)
    {
        var window = Head(file, from, MpegSearchBytes + 4096);
        for (var i = 0; i < Math.Min(window.Length, MpegSearchBytes); i++)
        {
            if (MpegHeader.Parse(window.AsSpan(i)) is not { } header)
            {
                continue;
            }

            var next = i + header.FrameBytes;
            if (next >= window.Length || MpegHeader.Parse(window.AsSpan(next)) is { } following && following.SampleRate == header.SampleRate)
            {
                return (from + i, header);
            }
        }

        return null;
    }

    private static byte[] Head(FileStream file, long offset, int count)
    {
        var bytes = new byte[(int)Math.Clamp(file.Length - offset, 0, count)];
        file.Position = offset;
        file.ReadExactly(bytes);
        return bytes;
    }

    private static bool Starts(byte[] head, string magic) => Encoding.ASCII.GetString(head, 0, Math.Min(head.Length, magic.Length)) == magic;
}
