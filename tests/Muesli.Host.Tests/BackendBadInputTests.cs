using Muesli.Core.Protocol;
using Xunit;
using Xunit.Abstractions;

namespace Muesli.Host.Tests;

/// <summary>Bad input never crashes the backend: it says clearly what was wrong and carries on.</summary>
public sealed class BackendBadInputTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(4);

    public static TheoryData<string> Cases => new(Inputs.Keys);

    private static readonly Dictionary<string, (Func<byte[]> Input, string Expect, int ExitCode)> Inputs = new()
    {
        ["truncated header"] = (() => Concat(Start(), Tone(2), Frame(FrameType.Audio, 0, 5_000_000, new byte[64])[..5]), "truncated", 0),
        ["payload_len of 4 GB"] = (() => Concat(Start(), Tone(2), Header(1, 0, 2_000_000, uint.MaxValue), new byte[4096]), "payload_too_large", 0),
        ["unknown type"] = (() => Concat(Start(), Header(9, 0, 0, 3), [1, 2, 3], Tone(2)), "unknown_frame_type", 0),
        ["unknown stream"] = (() => Concat(Start(), Header(1, 7, 0, 4), [0, 0, 0, 0], Tone(2)), "unknown_stream", 0),
        ["non-JSON START"] = (() => Concat(Frame(FrameType.MeetingStart, 0, 0, "sample_rate=48000"u8.ToArray()), Start(), Tone(2)), "invalid_meeting_start", 0),
        ["AUDIO before START"] = (() => Concat(Tone(1), Start(), Tone(2)), "audio_before_start", 0),
        ["negative PTS"] = (() => Concat(Start(), ToneAt(-5_000_000, 2)), "", 0),
        ["absurd PTS"] = (() => Concat(Start(), Tone(2), ToneAt(long.MaxValue / 4, 1)), "invalid_pts", 0),
        ["sample rate 0"] = (() => Concat(Frame(FrameType.MeetingStart, 0, 0, """{"sample_rate":0}"""u8.ToArray()), Tone(1)), "sample_rate 0", 1),
        ["sample rate 10^9"] = (() => Concat(Frame(FrameType.MeetingStart, 0, 0, """{"sample_rate":1000000000}"""u8.ToArray())), "sample_rate 1000000000", 1),
        ["odd byte count"] = (() => Concat(Start(), Frame(FrameType.Audio, 0, 0, new byte[961]), Tone(2)), "not whole frames", 0),
        ["second STOP"] = (() => Concat(Start(), Tone(2), Stop(), Stop()), "duplicate_stop", 0),
        ["1 MB of random bytes"] = (() => RandomBytes(1 << 20), "", 1),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Bad_input_gives_a_clear_error_and_never_kills_the_process(string name)
    {
        var (input, expect, exitCode) = Inputs[name];
        using var dir = new TempDir();
        await using var backend = BackendProcess.Start(["--output-dir", dir, "--models", StandIns.Folder, "--no-live"]);
        await backend.SendAsync(input());
        backend.CloseInput();
        var code = await backend.WaitForExitAsync(Limit);
        output.WriteLine(string.Join('\n', backend.Lines));
        output.WriteLine(backend.Stderr);

        Assert.DoesNotContain("Unhandled exception", backend.Stderr);
        Assert.Equal(exitCode, code);
        var events = backend.Events;
        Assert.All(events, e => Assert.Null(EventShapes.Check(e)));
        Assert.Equal("meeting_stopped", events[^1].GetProperty("message").GetString());
        if (expect.Length > 0)
        {
            var said = events.OfType("error").Any(e => e.GetProperty("message").GetString()!.Contains(expect, StringComparison.Ordinal))
                       || backend.Stderr.Contains(expect, StringComparison.Ordinal);
            Assert.True(said, $"neither an error event nor the log says '{expect}'");
        }

        if (name == "1 MB of random bytes")
        {
            Assert.NotEmpty(events.OfType("error"));
        }
    }

    [Fact]
    public async Task A_missing_models_folder_is_reported_by_name_while_the_audio_is_still_captured()
    {
        using var dir = new TempDir();
        var missing = Path.Combine(dir, "no-such-models");
        await using var backend = BackendProcess.Start(["--output-dir", dir, "--models", missing, "--keep-pcm"]);
        await backend.SendAsync(Concat(Start(), Tone(2), Stop()));
        backend.CloseInput();
        var code = await backend.WaitForExitAsync(Limit);
        output.WriteLine(backend.Stderr);

        Assert.Equal(2, code);
        var error = backend.Events.OfType("error")[0].GetProperty("message").GetString()!;
        Assert.Contains(missing, error);
        Assert.Equal("meeting_stopped", backend.Events[^1].GetProperty("message").GetString());
        Assert.Equal(2 * 16000 * 2, new FileInfo(Path.Combine(dir, "system.pcm")).Length, 16000 * 2 * 0.05);
    }

    [Fact]
    public async Task An_unknown_flag_is_a_usage_error_not_a_meeting()
    {
        await using var backend = BackendProcess.Start(["--no-such-flag"]);
        backend.CloseInput();
        Assert.Equal(2, await backend.WaitForExitAsync(Limit));
        Assert.Contains("--no-such-flag", backend.Stderr);
        Assert.Empty(backend.Lines);
    }

    private static byte[] Start() => AppClient.Start();

    private static byte[] Stop() => AppClient.Stop();

    private static byte[] Tone(double seconds) => ToneAt(0, seconds);

    /// <summary>A 1 kHz tone at 48 kHz mono in 20 ms frames starting at <paramref name="ptsUs"/>.</summary>
    private static byte[] ToneAt(long ptsUs, double seconds)
    {
        var frames = new List<byte[]>();
        const int perFrame = 960;
        for (var f = 0; f < seconds * 50; f++)
        {
            var samples = new short[perFrame];
            for (var i = 0; i < perFrame; i++)
            {
                samples[i] = (short)(8000 * Math.Sin(2 * Math.PI * 1000 * ((f * perFrame) + i) / 48000.0));
            }

            frames.Add(AppClient.Audio(Muesli.Core.Protocol.StreamKind.System, ptsUs + (f * 20_000L), samples));
        }

        return Concat([.. frames]);
    }

    private static byte[] Header(byte type, byte stream, long pts, uint length)
    {
        var header = new byte[FrameHeader.Size];
        new FrameHeader(type, stream, pts, length).Write(header);
        return header;
    }

    private static byte[] Frame(FrameType type, byte stream, long pts, byte[] payload)
        => Concat(Header((byte)type, stream, pts, (uint)payload.Length), payload);

    private static byte[] RandomBytes(int count)
    {
        var bytes = new byte[count];
        new Random(1234).NextBytes(bytes);
        return bytes;
    }

    private static byte[] Concat(params byte[][] parts)
    {
        var all = new byte[parts.Sum(p => p.Length)];
        var at = 0;
        foreach (var p in parts)
        {
            p.CopyTo(all, at);
            at += p.Length;
        }

        return all;
    }
}
