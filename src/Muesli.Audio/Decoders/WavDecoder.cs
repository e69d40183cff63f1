using System.Buffers.Binary;
using System.Text;

namespace Muesli.Audio.Decoders;

/// <summary>
/// WAV by a RIFF walk of our own: PCM 8 (unsigned), 16, 24, 32-bit, IEEE float 32 and 64-bit, plain or
/// WAVE_FORMAT_EXTENSIBLE (any channel mask), RIFF or RF64. A data chunk whose size is a streaming tool's placeholder
/// (0, or about 2 or 4 GiB beyond the end of the file) is read to the end of the file.
/// </summary>
internal sealed class WavDecoder : IAudioDecoder
{
    private const ushort PcmTag = 1;
    private const ushort FloatTag = 3;
    private const ushort ExtensibleTag = 0xFFFE;
    private const int FramesPerRead = 8192;

    // Tools that cannot seek back to fix the header write 0, 0xFFFFFFFF or a value just under 2 GiB.
    private const uint LargestRealSize = 0x7FFF0000;

    // Bytes 4–15 of every KSDATAFORMAT_SUBTYPE GUID; bytes 0–3 hold the plain format tag.
    private static readonly byte[] SubtypeGuidTail = [0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71];

    private readonly FileStream file;
    private readonly SampleEncoding encoding;
    private readonly int blockAlign;
    private readonly byte[] buffer;
    private long remainingBytes;

    private WavDecoder(FileStream file, SampleEncoding encoding, int channels, int rate, int bits, long dataBytes)
    {
        this.file = file;
        this.encoding = encoding;
        Channels = channels;
        SampleRate = rate;
        blockAlign = channels * ContainerBytes(encoding);
        buffer = new byte[FramesPerRead * blockAlign];
        remainingBytes = dataBytes;
        DurationSeconds = (double)(dataBytes / blockAlign) / rate;
        var kind = encoding is SampleEncoding.Float32 or SampleEncoding.Float64 ? "float" : "PCM";
        Description = $"WAV {kind} {bits}-bit, {rate} Hz, {channels} ch";
    }

    private enum SampleEncoding
    {
        Unsigned8,
        Signed16,
        Signed24,
        Signed32,
        Float32,
        Float64,
    }

    public string Description { get; }

    public int SampleRate { get; }

    public int Channels { get; }

    public double? DurationSeconds { get; }

    /// <summary>Reads the header of <paramref name="file"/> (a RIFF/RF64 WAVE file) and leaves it at the first sample.</summary>
    public static WavDecoder Open(string path, FileStream file)
    {
        Span<byte> head = stackalloc byte[12];
        file.Position = 0;
        file.ReadExactly(head);
        var rf64 = !head[..4].SequenceEqual("RIFF"u8);
        long? ds64DataBytes = null;
        Format? format = null;
        Span<byte> chunk = stackalloc byte[8];
        while (true)
        {
            var chunkStart = file.Position;
            if (file.Read(chunk) < 8 || chunkStart + 8 > file.Length)
            {
                throw format is null
                    ? AudioProblems.Truncated(path, $"the file ends after {file.Length} bytes, before its WAV header is complete")
                    : AudioProblems.Truncated(path, $"the file ends after {file.Length} bytes, before any audio data (no 'data' chunk)");
            }

            var id = Encoding.ASCII.GetString(chunk[..4]);
            var size = BinaryPrimitives.ReadUInt32LittleEndian(chunk[4..]);
            var bodyStart = chunkStart + 8;
            if (id == "data")
            {
                if (format is not { } known)
                {
                    throw AudioProblems.Unreadable(path, "its WAV header has no 'fmt ' chunk before the audio data");
                }

                return Data(path, file, known, size, rf64 ? ds64DataBytes : null, bodyStart);
            }

            if (bodyStart + size > file.Length)
            {
                throw AudioProblems.Truncated(
                    path, $"the file ends after {file.Length} bytes, inside its '{id.TrimEnd()}' header chunk, before any audio");
            }

            var body = new byte[Math.Min(size, 64)];
            file.ReadExactly(body);
            if (id == "fmt ")
            {
                format = ReadFormat(path, body);
            }
            else if (id == "ds64" && body.Length >= 16)
            {
                ds64DataBytes = BinaryPrimitives.ReadInt64LittleEndian(body.AsSpan(8));
            }

            file.Position = bodyStart + size + (size & 1);
        }
    }

    public int ReadMono(Span<float> mono)
    {
        var frames = (int)Math.Min(Math.Min(mono.Length, FramesPerRead), remainingBytes / blockAlign);
        if (frames == 0)
        {
            return 0;
        }

        var bytes = buffer.AsSpan(0, frames * blockAlign);
        var filled = file.ReadAtLeast(bytes, bytes.Length, throwOnEndOfStream: false);
        frames = filled / blockAlign;
        remainingBytes = filled < bytes.Length ? 0 : remainingBytes - filled;
        Downmix(bytes[..(frames * blockAlign)], mono[..frames]);
        return frames;
    }

    public void Dispose() => file.Dispose();

    private static WavDecoder Data(string path, FileStream file, Format format, uint size, long? ds64DataBytes, long start)
    {
        var present = file.Length - start;
        var dataBytes = size == uint.MaxValue && ds64DataBytes is { } large ? large : size;
        var streamed = (size == 0 && present > 0) || (size >= LargestRealSize && dataBytes == size);
        if (dataBytes > present || (size == 0 && present > 0))
        {
            if (!streamed)
            {
                var bytesPerSecond = (double)format.Rate * format.Channels * ContainerBytes(format.Encoding);
                throw AudioProblems.Truncated(
                    path,
                    $"its WAV header promises {dataBytes / bytesPerSecond:F1} s of audio ({dataBytes} bytes) but the file holds "
                    + $"{present / bytesPerSecond:F1} s ({present} bytes); it was probably copied or recorded only in part");
            }

            // Written by a tool that streamed its output and never came back to fill in the size.
            dataBytes = present;
        }

        file.Position = start;
        return new WavDecoder(file, format.Encoding, format.Channels, format.Rate, format.Bits, dataBytes);
    }

    private static Format ReadFormat(string path, byte[] body)
    {
        if (body.Length < 16)
        {
            throw AudioProblems.Unreadable(path, $"its WAV 'fmt ' chunk holds {body.Length} bytes, fewer than the 16 every format needs");
        }

        var span = body.AsSpan();
        var tag = BinaryPrimitives.ReadUInt16LittleEndian(span);
        var channels = BinaryPrimitives.ReadUInt16LittleEndian(span[2..]);
        var rate = BinaryPrimitives.ReadUInt32LittleEndian(span[4..]);
        var frameBytes = BinaryPrimitives.ReadUInt16LittleEndian(span[12..]);
        var bits = BinaryPrimitives.ReadUInt16LittleEndian(span[14..]);
        if (tag == ExtensibleTag && body.Length >= 40 && span[28..40].SequenceEqual(SubtypeGuidTail))
        {
            tag = BinaryPrimitives.ReadUInt16LittleEndian(span[24..]);
        }

        if (channels == 0 || rate == 0 || frameBytes == 0 || frameBytes % channels != 0)
        {
            throw AudioProblems.Unreadable(
                path, $"its WAV header is corrupt ({channels} channels, {rate} Hz, {frameBytes} bytes per frame)");
        }

        var container = frameBytes / channels;
        SampleEncoding? encoding = (tag, container) switch
        {
            (PcmTag, 1) => SampleEncoding.Unsigned8,
            (PcmTag, 2) => SampleEncoding.Signed16,
            (PcmTag, 3) => SampleEncoding.Signed24,
            (PcmTag, 4) => SampleEncoding.Signed32,
            (FloatTag, 4) => SampleEncoding.Float32,
            (FloatTag, 8) => SampleEncoding.Float64,
            _ => null,
        };
        if (encoding is not { } known)
        {
            throw AudioProblems.Unsupported(path, $"a WAV file of {TagName(tag)} {bits}-bit audio");
        }

        if (channels > StreamingResampler.MaxChannels)
        {
            throw AudioProblems.Unsupported(path, $"a WAV file of {channels} channels (at most {StreamingResampler.MaxChannels} are)");
        }

        if (rate is < 1000 or > 384000)
        {
            throw AudioProblems.Unsupported(path, $"a WAV file at {rate} Hz (1 to 384 kHz are)");
        }

        // Decoding goes by the container; bits may say less (20 bits in 3 bytes), never more.
        return new Format(known, channels, (int)rate, bits == 0 || bits > container * 8 ? container * 8 : bits);
    }

    private static string TagName(ushort tag) => tag switch
    {
        PcmTag => "PCM",
        FloatTag => "IEEE float",
        2 => "Microsoft ADPCM",
        6 => "A-law",
        7 => "µ-law",
        0x11 => "IMA ADPCM",
        0x31 => "GSM 6.10",
        0x50 => "MPEG",
        0x55 => "MP3",
        ExtensibleTag => "WAVE_FORMAT_EXTENSIBLE (unknown subformat)",
        _ => $"format 0x{tag:X4}",
    };

    private static int ContainerBytes(SampleEncoding encoding) => encoding switch
    {
        SampleEncoding.Unsigned8 => 1,
        SampleEncoding.Signed16 => 2,
        SampleEncoding.Signed24 => 3,
        SampleEncoding.Signed32 or SampleEncoding.Float32 => 4,
        _ => 8,
    };

    private void Downmix(ReadOnlySpan<byte> bytes, Span<float> mono)
    {
        var step = ContainerBytes(encoding);
        for (var frame = 0; frame < mono.Length; frame++)
        {
            var sum = 0.0;
            var samples = bytes.Slice(frame * blockAlign, blockAlign);
            for (var offset = 0; offset < blockAlign; offset += step)
            {
                sum += Sample(samples[offset..]);
            }

            mono[frame] = (float)(sum / Channels);
        }
    }

    private double Sample(ReadOnlySpan<byte> s) => encoding switch
    {
        SampleEncoding.Unsigned8 => (s[0] - 128) / 128.0,
        SampleEncoding.Signed16 => BinaryPrimitives.ReadInt16LittleEndian(s) / 32768.0,
        SampleEncoding.Signed24 => (s[0] | (s[1] << 8) | ((sbyte)s[2] << 16)) / 8388608.0,
        SampleEncoding.Signed32 => BinaryPrimitives.ReadInt32LittleEndian(s) / 2147483648.0,
        SampleEncoding.Float32 => BinaryPrimitives.ReadSingleLittleEndian(s),
        _ => BinaryPrimitives.ReadDoubleLittleEndian(s),
    };

    private readonly record struct Format(SampleEncoding Encoding, int Channels, int Rate, int Bits);
}
