using System.Text.Json;
using Muesli.Core;
using Muesli.Core.Protocol;

namespace Muesli.Host.Cli;

/// <summary>
/// A recording as the frames an app would send for it: MEETING_START (16 kHz mono, the meeting's id and settings),
/// 100 ms AUDIO frames of one stream, MEETING_STOP. The samples are pulled from <paramref name="read"/> as the session
/// reads, so a long file is never held in memory; <paramref name="sent"/> hears how many samples have gone.
/// </summary>
public sealed class FileFrames(
    FileFrames.SampleReader read, StreamKind stream, IReadOnlyDictionary<string, object> start, Action<long>? sent = null) : ReadOnlyInput
{
    private const int FrameSamples = 1600;

    /// <summary>Fills the start of <paramref name="destination"/> with the next 16 kHz mono samples; 0 at the end.</summary>
    public delegate int SampleReader(Span<float> destination);

    private readonly float[] _samples = new float[FrameSamples];
    private byte[] _current = [];
    private int _offset;
    private long _position;
    private int _state;

    /// <summary>The MEETING_START payload: 16 kHz mono plus <paramref name="fields"/> (meeting id, transcribe_stream…).</summary>
    public static IReadOnlyDictionary<string, object> Start(IEnumerable<KeyValuePair<string, object>> fields)
    {
        var start = new Dictionary<string, object> { ["sample_rate"] = AudioFormat.Asr.SampleRate, ["channels"] = 1 };
        foreach (var (key, value) in fields)
        {
            start[key] = value;
        }

        return start;
    }

    public override int Read(byte[] buffer, int offset, int count)
    {
        if (_offset == _current.Length)
        {
            if (NextFrame() is not { } frame)
            {
                return 0;
            }

            _current = frame;
            _offset = 0;
        }

        var n = Math.Min(count, _current.Length - _offset);
        _current.AsSpan(_offset, n).CopyTo(buffer.AsSpan(offset, n));
        _offset += n;
        return n;
    }

    private byte[]? NextFrame()
    {
        switch (_state)
        {
            case 0:
                _state = 1;
                return new Frame(FrameType.MeetingStart, stream, 0, JsonSerializer.SerializeToUtf8Bytes(start)).Encode();
            case 1:
                var n = Fill();
                if (n > 0)
                {
                    var payload = new byte[n * 2];
                    for (var i = 0; i < n; i++)
                    {
                        var s = (short)Math.Clamp(MathF.Round(_samples[i] * 32768f), short.MinValue, short.MaxValue);
                        payload[2 * i] = (byte)s;
                        payload[(2 * i) + 1] = (byte)(s >> 8);
                    }

                    var pts = _position * 1_000_000 / AudioFormat.Asr.SampleRate;
                    _position += n;
                    sent?.Invoke(_position);
                    return new Frame(FrameType.Audio, stream, pts, payload).Encode();
                }

                _state = 2;
                return new Frame(FrameType.MeetingStop, stream, 0, []).Encode();
            default:
                return null;
        }
    }

    /// <summary>A whole frame's samples unless the recording ends first.</summary>
    private int Fill()
    {
        var filled = 0;
        int got;
        while (filled < FrameSamples && (got = read(_samples.AsSpan(filled))) > 0)
        {
            filled += got;
        }

        return filled;
    }
}
