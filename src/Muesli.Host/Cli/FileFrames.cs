using Muesli.Core;
using Muesli.Core.Protocol;

namespace Muesli.Host.Cli;

/// <summary>
/// A recording as the frames an app would send for it: MEETING_START, 100 ms AUDIO frames of the system stream,
/// MEETING_STOP. Read lazily, so a long file is never held twice in memory; reports how far it has been read.
/// </summary>
public sealed class FileFrames(float[] samples16k, Action<double>? progress = null) : ReadOnlyInput
{
    private const int FrameSamples = 1600;

    private readonly IEnumerator<byte[]> _frames = Frames(samples16k).GetEnumerator();
    private byte[] _current = [];
    private int _offset;
    private int _sent;

    public override int Read(byte[] buffer, int offset, int count)
    {
        if (_offset == _current.Length)
        {
            if (!_frames.MoveNext())
            {
                return 0;
            }

            _current = _frames.Current;
            _offset = 0;
            if (++_sent % 100 == 0)
            {
                progress?.Invoke(Math.Min(1, (double)_sent * FrameSamples / Math.Max(1, samples16k.Length)));
            }
        }

        var n = Math.Min(count, _current.Length - _offset);
        _current.AsSpan(_offset, n).CopyTo(buffer.AsSpan(offset, n));
        _offset += n;
        return n;
    }

    private static IEnumerable<byte[]> Frames(float[] samples)
    {
        var format = AudioFormat.Asr;
        yield return new Frame(FrameType.MeetingStart, StreamKind.System, 0, System.Text.Encoding.UTF8.GetBytes($"{{\"sample_rate\":{format.SampleRate},\"channels\":1}}")).Encode();
        for (var start = 0; start < samples.Length; start += FrameSamples)
        {
            var n = Math.Min(FrameSamples, samples.Length - start);
            var payload = new byte[n * 2];
            for (var i = 0; i < n; i++)
            {
                var s = (short)Math.Clamp(MathF.Round(samples[start + i] * 32768f), short.MinValue, short.MaxValue);
                payload[2 * i] = (byte)s;
                payload[(2 * i) + 1] = (byte)(s >> 8);
            }

            yield return new Frame(FrameType.Audio, StreamKind.System, (long)start * 1_000_000 / format.SampleRate, payload).Encode();
        }

        yield return new Frame(FrameType.MeetingStop, StreamKind.System, 0, []).Encode();
    }
}
