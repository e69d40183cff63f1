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

    public FrameDecoder(int maxPayloadBytes = DefaultMaxPayloadBytes) => throw new NotImplementedException();

    /// <summary>Consumes <paramref name="data"/>; each complete frame or error is added to <paramref name="output"/>
    /// (as <see cref="Frame"/> or <see cref="FrameError"/>).</summary>
    public void Feed(ReadOnlySpan<byte> data, List<object> output) => throw new NotImplementedException();

    /// <summary>End of input: reports a partial header or payload left over.</summary>
    public void Complete(List<object> output) => throw new NotImplementedException();

    /// <summary>Bytes buffered for an incomplete frame (never more than a header plus the payload limit).</summary>
    public int BufferedBytes => throw new NotImplementedException();
}
