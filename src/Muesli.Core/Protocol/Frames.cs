using System.Buffers.Binary;

namespace Muesli.Core.Protocol;

public enum FrameType : byte
{
    Audio = 1,
    ScreenshotEvent = 2,
    MeetingStart = 3,
    MeetingStop = 4,
}

/// <summary>The two audio streams of a meeting.</summary>
public enum StreamKind : byte
{
    System = 0,
    Mic = 1,
}

public static class StreamKinds
{
    public static readonly IReadOnlyList<StreamKind> All = [StreamKind.System, StreamKind.Mic];

    /// <summary>The wire name: <c>system</c> or <c>mic</c>.</summary>
    public static string Name(this StreamKind stream) => stream == StreamKind.System ? "system" : "mic";

    /// <summary>The label of turns in ASR-only mode: <c>System</c> or <c>Microphone</c>.</summary>
    public static string Label(this StreamKind stream) => stream == StreamKind.System ? "System" : "Microphone";

    public static bool TryParse(string name, out StreamKind stream)
    {
        switch (name)
        {
            case "system": stream = StreamKind.System; return true;
            case "mic": stream = StreamKind.Mic; return true;
            default: stream = default; return false;
        }
    }
}

/// <summary>The 14-byte little-endian frame header: u8 type, u8 stream, i64 pts_us, u32 payload_len.</summary>
public readonly record struct FrameHeader(byte Type, byte Stream, long PtsUs, uint PayloadLength)
{
    public const int Size = 14;

    public static FrameHeader Read(ReadOnlySpan<byte> source) => new(
        source[0],
        source[1],
        BinaryPrimitives.ReadInt64LittleEndian(source[2..]),
        BinaryPrimitives.ReadUInt32LittleEndian(source[10..]));

    public void Write(Span<byte> destination)
    {
        destination[0] = Type;
        destination[1] = Stream;
        BinaryPrimitives.WriteInt64LittleEndian(destination[2..], PtsUs);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[10..], PayloadLength);
    }
}

/// <summary>A whole, well-formed frame.</summary>
public sealed record Frame(FrameType Type, StreamKind Stream, long PtsUs, byte[] Payload)
{
    /// <summary>The frame as it travels on the wire.</summary>
    public byte[] Encode()
    {
        var bytes = new byte[FrameHeader.Size + Payload.Length];
        new FrameHeader((byte)Type, (byte)Stream, PtsUs, (uint)Payload.Length).Write(bytes);
        Payload.CopyTo(bytes, FrameHeader.Size);
        return bytes;
    }
}

/// <summary>Why some bytes of the input could not become a frame.</summary>
public enum FrameErrorKind
{
    UnknownType,
    UnknownStream,
    PayloadTooLarge,
    TruncatedHeader,
    TruncatedPayload,
}

/// <summary>A frame the decoder skipped, with a message fit for an <c>error</c> event.</summary>
public sealed record FrameError(FrameErrorKind Kind, string Message);
