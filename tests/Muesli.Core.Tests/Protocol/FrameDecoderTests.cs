using System.Buffers.Binary;
using Muesli.Core.Protocol;

namespace Muesli.Core.Tests.Protocol;

public class FrameDecoderTests
{
    /// <summary>A header written byte by byte from the spec's layout, independent of <see cref="FrameHeader"/>.</summary>
    private static byte[] Header(byte type, byte stream, long ptsUs, uint payloadLength)
    {
        var bytes = new byte[14];
        bytes[0] = type;
        bytes[1] = stream;
        BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(2, 8), ptsUs);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(10, 4), payloadLength);
        return bytes;
    }

    private static byte[] FrameBytes(byte type, byte stream, long ptsUs, byte[] payload)
        => [.. Header(type, stream, ptsUs, (uint)payload.Length), .. payload];

    private static byte[] Bytes(int count, int seed)
    {
        var bytes = new byte[count];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    /// <summary>Frames and errors as comparable values (a frame's payload by content).</summary>
    private static List<string> Describe(IEnumerable<object> output) => output.Select(o => o switch
    {
        Frame f => $"{f.Type}/{f.Stream}/{f.PtsUs}/{Convert.ToHexString(f.Payload)}",
        FrameError e => $"{e.Kind}: {e.Message}",
        _ => throw new InvalidOperationException(o.GetType().Name),
    }).ToList();

    private static List<object> DecodeInPieces(
        byte[] input, IEnumerable<int> pieceSizes, int limit = FrameDecoder.DefaultMaxPayloadBytes)
    {
        var decoder = new FrameDecoder(limit);
        var output = new List<object>();
        var position = 0;
        foreach (var size in pieceSizes)
        {
            var piece = Math.Min(size, input.Length - position);
            decoder.Feed(input.AsSpan(position, piece), output);
            position += piece;
            Assert.InRange(decoder.BufferedBytes, 0, 14 + limit);
        }

        decoder.Feed(input.AsSpan(position), output);
        decoder.Complete(output);
        return output;
    }

    private static List<object> Decode(byte[] input, int limit = FrameDecoder.DefaultMaxPayloadBytes)
        => DecodeInPieces(input, [], limit);

    [Fact]
    public void A_frame_decodes_to_its_fields()
    {
        var payload = Bytes(320, 1);

        var frame = Assert.IsType<Frame>(Assert.Single(Decode(FrameBytes(1, 1, 1_234_567_890_123, payload))));

        Assert.Equal((FrameType.Audio, StreamKind.Mic, 1_234_567_890_123L), (frame.Type, frame.Stream, frame.PtsUs));
        Assert.Equal(payload, frame.Payload);
    }

    [Fact]
    public void Negative_timestamps_survive()
    {
        var frame = Assert.IsType<Frame>(Assert.Single(Decode(FrameBytes(1, 0, -20_000, [1, 2]))));

        Assert.Equal(-20_000, frame.PtsUs);
    }

    [Fact]
    public void Every_frame_type_decodes_and_an_empty_payload_needs_no_bytes_after_the_header()
    {
        byte[] input =
        [
            .. FrameBytes(3, 0, 0, "{\"sample_rate\":48000}"u8.ToArray()),
            .. FrameBytes(1, 0, 0, [1, 0]),
            .. FrameBytes(2, 0, 5, "{}"u8.ToArray()),
            .. FrameBytes(4, 0, 9, []),
        ];

        var output = Decode(input);

        Assert.Equal(
            [FrameType.MeetingStart, FrameType.Audio, FrameType.ScreenshotEvent, FrameType.MeetingStop],
            output.Cast<Frame>().Select(f => f.Type));
    }

    [Fact]
    public void Encode_gives_the_bytes_the_decoder_reads()
    {
        var frame = new Frame(FrameType.Audio, StreamKind.Mic, 42, [9, 8, 7, 6]);

        Assert.Equal(FrameBytes(1, 1, 42, [9, 8, 7, 6]), frame.Encode());
        Assert.Equal(Describe([frame]), Describe(Decode(frame.Encode())));
    }

    [Fact]
    public void Input_split_anywhere_decodes_the_same()
    {
        byte[] input =
        [
            .. FrameBytes(3, 0, 0, "{}"u8.ToArray()),
            .. FrameBytes(1, 0, 0, Bytes(1000, 2)),
            .. FrameBytes(1, 1, 10_000, Bytes(33, 3)),
            .. FrameBytes(9, 0, 0, Bytes(50, 4)),
            .. FrameBytes(4, 0, 0, []),
        ];
        var whole = Describe(Decode(input));

        Assert.Equal(whole, Describe(DecodeInPieces(input, Enumerable.Repeat(1, input.Length))));
        var random = new Random(5);
        for (var i = 0; i < 50; i++)
        {
            Assert.Equal(whole, Describe(DecodeInPieces(input, Enumerable.Range(0, 200).Select(_ => random.Next(0, 40)))));
        }
    }

    [Fact]
    public void An_unknown_type_is_reported_and_its_payload_skipped()
    {
        byte[] input = [.. FrameBytes(7, 0, 0, Bytes(100, 6)), .. FrameBytes(4, 0, 0, [])];

        var output = Describe(Decode(input));

        Assert.Equal(["UnknownType: unknown_frame_type: 7", "MeetingStop/System/0/"], output);
    }

    [Fact]
    public void An_unknown_stream_of_audio_is_reported_and_its_payload_skipped()
    {
        byte[] input = [.. FrameBytes(1, 5, 0, Bytes(64, 7)), .. FrameBytes(1, 1, 3, [1, 2])];

        var output = Describe(Decode(input));

        Assert.Equal(["UnknownStream: unknown_stream: 5", "Audio/Mic/3/0102"], output);
    }

    [Fact]
    public void The_stream_byte_of_frames_other_than_audio_is_not_checked()
    {
        var frame = Assert.IsType<Frame>(Assert.Single(Decode(FrameBytes(2, 200, 0, "{}"u8.ToArray()))));

        Assert.Equal(FrameType.ScreenshotEvent, frame.Type);
    }

    [Fact]
    public void A_payload_above_the_limit_is_reported_and_skipped_exactly()
    {
        byte[] input = [.. FrameBytes(1, 0, 0, Bytes(11, 8)), .. FrameBytes(1, 0, 7, [5, 6])];

        var whole = Describe(Decode(input, limit: 10));

        Assert.Equal(["PayloadTooLarge: payload_too_large: 11 bytes (limit 10)", "Audio/System/7/0506"], whole);
        Assert.Equal(whole, Describe(DecodeInPieces(input, Enumerable.Repeat(1, input.Length), limit: 10)));
    }

    [Fact]
    public void A_four_gigabyte_payload_length_is_skipped_without_buffering()
    {
        var decoder = new FrameDecoder();
        var output = new List<object>();

        decoder.Feed(Header(1, 0, 0, uint.MaxValue), output);
        var chunk = new byte[1 << 20];
        for (var i = 0; i < 8; i++)
        {
            decoder.Feed(chunk, output);
            Assert.Equal(0, decoder.BufferedBytes);
        }

        decoder.Complete(output);

        var error = Assert.IsType<FrameError>(Assert.Single(output));
        Assert.Equal(FrameErrorKind.PayloadTooLarge, error.Kind);
        Assert.Equal("payload_too_large: 4294967295 bytes (limit 16777216)", error.Message);
    }

    [Fact]
    public void A_partial_header_at_the_end_is_reported_as_truncated()
    {
        byte[] input = [.. FrameBytes(4, 0, 0, []), .. Header(1, 0, 0, 10)[..5]];

        var output = Describe(Decode(input));

        Assert.Equal(["MeetingStop/System/0/", "TruncatedHeader: truncated_header: 5 of 14 bytes"], output);
    }

    [Fact]
    public void A_partial_payload_at_the_end_is_reported_as_truncated()
    {
        byte[] input = [.. Header(1, 0, 0, 100), .. Bytes(40, 9)];

        var output = Describe(Decode(input));

        Assert.Equal(["TruncatedPayload: truncated_payload: 40 of 100 bytes (frame type 1)"], output);
    }

    [Fact]
    public void Clean_end_of_input_reports_nothing()
    {
        Assert.Equal(["MeetingStop/System/0/"], Describe(Decode(FrameBytes(4, 0, 0, []))));
        Assert.Empty(Decode([]));
    }

    [Fact]
    public void Buffered_bytes_count_the_incomplete_frame()
    {
        var decoder = new FrameDecoder();
        var output = new List<object>();
        var input = FrameBytes(1, 0, 0, Bytes(20, 10));

        decoder.Feed(input.AsSpan(0, 6), output);
        Assert.Equal(6, decoder.BufferedBytes);
        decoder.Feed(input.AsSpan(6, 14), output);
        Assert.Equal(20, decoder.BufferedBytes);
        decoder.Feed(input.AsSpan(20), output);
        Assert.Equal(0, decoder.BufferedBytes);
        Assert.Single(output);
    }

    [Fact]
    public void Random_bytes_never_throw_and_decode_the_same_however_they_are_split()
    {
        var random = new Random(12);
        for (var round = 0; round < 300; round++)
        {
            var input = new byte[random.Next(0, 3000)];
            random.NextBytes(input);

            // Small payload lengths and known types now and then, so that real frames appear among the garbage.
            for (var at = 0; at + 14 <= input.Length; at += random.Next(1, 200))
            {
                input[at] = (byte)random.Next(0, 6);
                input[at + 1] = (byte)random.Next(0, 3);
                BinaryPrimitives.WriteUInt32LittleEndian(input.AsSpan(at + 10), (uint)random.Next(0, 300));
            }

            var limit = random.Next(0, 256);
            var whole = Describe(Decode(input, limit));
            var pieces = Enumerable.Range(0, 100).Select(_ => random.Next(0, 64)).ToArray();

            Assert.Equal(whole, Describe(DecodeInPieces(input, pieces, limit)));
        }
    }

    [Fact]
    public void A_negative_limit_is_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new FrameDecoder(-1));
    }
}
