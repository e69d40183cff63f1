namespace Muesli.Core.Protocol;

/// <summary>
/// Incremental decoder of the frame protocol. Bytes arrive in arbitrary pieces; whole frames and errors come out
/// in input order. A frame with an unknown type, an unknown stream, or a payload above the limit is reported and
/// its declared payload skipped without buffering it, so the frames after it stay aligned. At end of input a
/// partial header or payload is reported as truncated.
/// </summary>
public sealed class FrameDecoder
{
    /// <summary>The default payload limit: far above any real audio frame or screenshot event.</summary>
    public const int DefaultMaxPayloadBytes = 16 * 1024 * 1024;

    private readonly int maxPayloadBytes;
    private readonly byte[] header = new byte[FrameHeader.Size];
    private int headerFilled;

    // The frame whose payload is being read, or null while reading a header or skipping.
    private FrameHeader? current;
    private byte[] payload = [];
    private int payloadFilled;

    // Bytes of a rejected frame's payload still to be thrown away as they arrive.
    private long skipRemaining;

    public FrameDecoder(int maxPayloadBytes = DefaultMaxPayloadBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxPayloadBytes);
        this.maxPayloadBytes = maxPayloadBytes;
    }

    /// <summary>Consumes <paramref name="data"/>; each complete frame or error is added to <paramref name="output"/>
    /// (as <see cref="Frame"/> or <see cref="FrameError"/>).</summary>
    public void Feed(ReadOnlySpan<byte> data, List<object> output)
    {
        while (!data.IsEmpty)
        {
            if (skipRemaining > 0)
            {
                var skipped = (int)Math.Min(skipRemaining, data.Length);
                skipRemaining -= skipped;
                data = data[skipped..];
            }
            else if (current is { } frame)
            {
                var taken = Math.Min(payload.Length - payloadFilled, data.Length);
                data[..taken].CopyTo(payload.AsSpan(payloadFilled));
                payloadFilled += taken;
                data = data[taken..];
                if (payloadFilled == payload.Length)
                {
                    output.Add(FrameOf(frame, payload));
                    current = null;
                    payload = [];
                    payloadFilled = 0;
                }
            }
            else
            {
                var taken = Math.Min(FrameHeader.Size - headerFilled, data.Length);
                data[..taken].CopyTo(header.AsSpan(headerFilled));
                headerFilled += taken;
                data = data[taken..];
                if (headerFilled == FrameHeader.Size)
                {
                    headerFilled = 0;
                    Begin(FrameHeader.Read(header), output);
                }
            }
        }
    }

    /// <summary>End of input: reports a partial header or payload left over.</summary>
    public void Complete(List<object> output)
    {
        if (headerFilled > 0)
        {
            output.Add(new FrameError(
                FrameErrorKind.TruncatedHeader,
                $"truncated_header: {headerFilled} of {FrameHeader.Size} bytes"));
        }
        else if (current is { } frame)
        {
            output.Add(new FrameError(
                FrameErrorKind.TruncatedPayload,
                $"truncated_payload: {payloadFilled} of {frame.PayloadLength} bytes (frame type {frame.Type})"));
        }

        // A rejected frame cut short was already reported when its header arrived.
        headerFilled = 0;
        current = null;
        payload = [];
        payloadFilled = 0;
        skipRemaining = 0;
    }

    /// <summary>Bytes buffered for an incomplete frame (never more than a header plus the payload limit).</summary>
    public int BufferedBytes => current is null ? headerFilled : FrameHeader.Size + payloadFilled;

    private void Begin(FrameHeader frame, List<object> output)
    {
        var error = Validate(frame);
        if (error is not null)
        {
            output.Add(error);
            skipRemaining = frame.PayloadLength;
        }
        else if (frame.PayloadLength == 0)
        {
            output.Add(FrameOf(frame, []));
        }
        else
        {
            current = frame;
            payload = new byte[frame.PayloadLength];
            payloadFilled = 0;
        }
    }

    private FrameError? Validate(FrameHeader frame)
    {
        if (!Enum.IsDefined((FrameType)frame.Type))
        {
            return new FrameError(FrameErrorKind.UnknownType, $"unknown_frame_type: {frame.Type}");
        }

        // Only audio belongs to a stream; the other frames' stream byte carries nothing.
        if ((FrameType)frame.Type == FrameType.Audio && !Enum.IsDefined((StreamKind)frame.Stream))
        {
            return new FrameError(FrameErrorKind.UnknownStream, $"unknown_stream: {frame.Stream}");
        }

        if (frame.PayloadLength > maxPayloadBytes)
        {
            return new FrameError(
                FrameErrorKind.PayloadTooLarge,
                $"payload_too_large: {frame.PayloadLength} bytes (limit {maxPayloadBytes})");
        }

        return null;
    }

    private static Frame FrameOf(FrameHeader header, byte[] payload)
    {
        var stream = Enum.IsDefined((StreamKind)header.Stream) ? (StreamKind)header.Stream : StreamKind.System;
        return new Frame((FrameType)header.Type, stream, header.PtsUs, payload);
    }
}
