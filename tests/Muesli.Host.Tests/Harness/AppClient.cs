using System.Text;
using System.Text.Json;
using Muesli.Core;
using Muesli.Core.Protocol;
using Muesli.TestWorld;

namespace Muesli.Host.Tests;

/// <summary>A span of one stream's meeting clock.</summary>
public sealed record Span(string Stream, double Start, double End)
{
    public bool Overlaps(double t0, double t1) => t0 < End && t1 > Start;
}

/// <summary>How the simulated app sends a meeting.</summary>
public sealed record FeedPlan
{
    public int Seed { get; init; } = 11;

    public int SampleRate { get; init; } = 48000;

    public int Channels { get; init; } = 1;

    public int MinFrameMs { get; init; } = 10;

    public int MaxFrameMs { get; init; } = 40;

    /// <summary>Each frame's PTS is off by up to this much, as a capture clock is.</summary>
    public double JitterMs { get; init; } = 2;

    /// <summary>Audio the app never sends: the backend must fill it with silence.</summary>
    public Span? Gap { get; init; }

    /// <summary>Audio the app sends twice: the backend must drop the second copy.</summary>
    public Span? Overlap { get; init; }

    /// <summary>Only frames whose PTS lies in [From, Until) are sent.</summary>
    public double From { get; init; }

    public double Until { get; init; } = double.PositiveInfinity;
}

/// <summary>Builds the frames the macOS app would send for a tone meeting: 48 kHz, 10–40 ms frames, both streams interleaved.</summary>
public static class AppClient
{
    public static byte[] Start(int sampleRate = 48000, int channels = 1, string? meetingId = null, string? extraJson = null)
    {
        var json = new StringBuilder($"{{\"sample_rate\":{sampleRate},\"channels\":{channels}");
        if (meetingId is not null)
        {
            json.Append($",\"meeting_id\":{JsonSerializer.Serialize(meetingId)}");
        }

        if (extraJson is not null)
        {
            json.Append(',').Append(extraJson);
        }

        json.Append('}');
        return new Frame(FrameType.MeetingStart, StreamKind.System, 0, Encoding.UTF8.GetBytes(json.ToString())).Encode();
    }

    public static byte[] Stop() => new Frame(FrameType.MeetingStop, StreamKind.System, 0, []).Encode();

    public static byte[] Audio(StreamKind stream, long ptsUs, ReadOnlySpan<short> samples)
    {
        var payload = new byte[samples.Length * 2];
        for (var i = 0; i < samples.Length; i++)
        {
            payload[2 * i] = (byte)samples[i];
            payload[(2 * i) + 1] = (byte)(samples[i] >> 8);
        }

        return new Frame(FrameType.Audio, stream, ptsUs, payload).Encode();
    }

    /// <summary>The AUDIO frames of both streams in PTS order, as the app interleaves them.</summary>
    public static IEnumerable<byte[]> AudioFrames(ToneMeeting meeting, FeedPlan plan)
    {
        var format = new AudioFormat(plan.SampleRate, plan.Channels);
        var feeds = StreamKinds.All
            .Select(s => new StreamFeed(s, meeting.Render(s.Name(), format), format, plan, new Random(plan.Seed * 31 + (int)s)))
            .ToArray();
        while (true)
        {
            var next = feeds.Where(f => !f.Done).MinBy(f => f.NextTime);
            if (next is null)
            {
                yield break;
            }

            if (next.Take() is { } frame)
            {
                yield return frame;
            }
        }
    }

    public static async Task FeedAsync(Stream stdin, IEnumerable<byte[]> frames)
    {
        foreach (var frame in frames)
        {
            await stdin.WriteAsync(frame);
        }

        await stdin.FlushAsync();
    }

    private sealed class StreamFeed(StreamKind stream, short[] samples, AudioFormat format, FeedPlan plan, Random random)
    {
        private long _frame;
        private bool _gapTaken;
        private bool _overlapTaken;

        public bool Done => _frame * format.Channels >= samples.Length;

        public double NextTime => (double)_frame / format.SampleRate;

        public byte[]? Take()
        {
            var t = NextTime;
            if (plan.Gap is { } gap && gap.Stream == stream.Name() && !_gapTaken && t >= gap.Start)
            {
                _gapTaken = true;
                _frame = (long)(gap.End * format.SampleRate);
                return null;
            }

            if (plan.Overlap is { } overlap && overlap.Stream == stream.Name() && !_overlapTaken && t >= overlap.End)
            {
                _overlapTaken = true;
                _frame = (long)(overlap.Start * format.SampleRate);
                t = NextTime;
            }

            var frames = (int)(format.SampleRate * random.Next(plan.MinFrameMs, plan.MaxFrameMs + 1) / 1000.0);
            frames = (int)Math.Min(frames, (samples.Length / format.Channels) - _frame);
            var start = _frame;
            _frame += frames;

            // Drawn for every frame, sent or not: a client that resends from a point sends the very frames it sent before.
            var jitterUs = (random.NextDouble() * 2 - 1) * plan.JitterMs * 1000;
            if (t < plan.From || t >= plan.Until)
            {
                return null;
            }

            var pts = (long)Math.Max(0, Math.Round((t * 1e6) + jitterUs));
            return Audio(stream, pts, samples.AsSpan((int)(start * format.Channels), frames * format.Channels));
        }
    }
}
