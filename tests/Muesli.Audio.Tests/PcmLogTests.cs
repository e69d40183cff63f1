using Xunit;

namespace Muesli.Audio.Tests;

public sealed class PcmLogTests : IDisposable
{
    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    private static float[] FileSamplesAsFloats(byte[] bytes, int fromByte = 0) =>
        Signals.ToShorts(bytes.AsSpan(fromByte)).Select(s => s / 32768f).ToArray();

    [Fact]
    public void A_chunk_from_byte_0_equals_the_whole_file()
    {
        var samples = Signals.ToShorts(Signals.Noise(1, 50_000, seed: 1));
        var path = temp.File("s.pcm");
        using var log = PcmLog.Open(path);
        log.Append(samples);
        log.Flush(durable: false);

        var file = TempDirectory.ReadShared(path);
        Assert.Equal(file.Length, log.Length);
        Assert.Equal(FileSamplesAsFloats(file), log.Read(0, log.Length));
    }

    [Theory]
    [InlineData(2)]
    [InlineData(32_000)]
    [InlineData(77_778)]
    public void A_chunk_from_byte_k_is_a_window_of_the_right_duration_with_exactly_the_bytes_from_k(int k)
    {
        var samples = Signals.ToShorts(Signals.Noise(1, 60_000, seed: 2));
        var path = temp.File("s.pcm");
        using var log = PcmLog.Open(path);
        log.Append(samples);
        log.Flush(durable: false);

        var window = log.Read(k, log.Length);

        var file = TempDirectory.ReadShared(path);
        Assert.Equal((file.Length - k) / 32000.0, window.Length / 16000.0, 9);
        Assert.Equal(FileSamplesAsFloats(file, k), window);
    }

    [Fact]
    public void Reads_see_bytes_still_in_the_write_buffer_and_span_the_file_and_the_buffer()
    {
        var samples = Signals.ToShorts(Signals.Noise(1, 25_000, seed: 3));
        var path = temp.File("s.pcm");
        using var log = PcmLog.Open(path, new PcmFlushPolicy { MaxBufferedBytes = 20_000 });
        log.Append(samples);

        var onDisk = new FileInfo(path).Length;
        Assert.True(onDisk < log.Length, "some bytes should still be buffered");
        Assert.Equal(50_000, log.Length);

        var expected = samples.Skip(100).Select(s => s / 32768f).ToArray();
        Assert.Equal(expected, log.Read(200, log.Length));
        Assert.Equal(onDisk - 200, log.Counters.BytesRead);
    }

    [Fact]
    public void Samples_become_floats_by_dividing_by_32768()
    {
        using var log = PcmLog.Open(temp.File("s.pcm"));
        log.Append([short.MinValue, -1, 0, 1, 16384, short.MaxValue]);

        Assert.Equal([-1f, -1f / 32768, 0f, 1f / 32768, 0.5f, 32767f / 32768], log.Read(0, 12));
    }

    [Fact]
    public void A_full_buffer_goes_to_the_os_and_fsyncs_only_when_the_policy_says_so()
    {
        using var lazy = PcmLog.Open(temp.File("lazy.pcm"), new PcmFlushPolicy { MaxBufferedBytes = 1000 });
        lazy.Append(new short[1200]);
        Assert.Equal(2000, lazy.Counters.BytesWritten);
        Assert.Equal(2000, new FileInfo(temp.File("lazy.pcm")).Length);
        Assert.Equal(0, lazy.Counters.Fsyncs);
        Assert.Equal(0, lazy.DurableLength);

        using var durable = PcmLog.Open(
            temp.File("durable.pcm"), new PcmFlushPolicy { MaxBufferedBytes = 1000, FsyncOnBufferFlush = true });
        durable.Append(new short[1200]);
        Assert.Equal(2, durable.Counters.Fsyncs);
        Assert.Equal(2000, durable.DurableLength);
        Assert.Equal(2400, durable.Length);
    }

    [Fact]
    public void Flush_hands_bytes_to_the_os_and_durable_flush_fsyncs()
    {
        var path = temp.File("s.pcm");
        using var log = PcmLog.Open(path);
        log.Append(new short[100]);
        Assert.Equal(0, new FileInfo(path).Length);

        log.Flush(durable: false);
        Assert.Equal(200, new FileInfo(path).Length);
        Assert.Equal(0, log.Counters.Fsyncs);
        Assert.Equal(0, log.DurableLength);

        log.Append(new short[50]);
        log.Flush(durable: true);
        Assert.Equal(1, log.Counters.Fsyncs);
        Assert.Equal(300, log.DurableLength);
        Assert.Equal(300, log.Counters.BytesWritten);
    }

    [Fact]
    public void Silence_is_zero_samples()
    {
        using var log = PcmLog.Open(temp.File("s.pcm"), new PcmFlushPolicy { MaxBufferedBytes = 64 });
        log.Append([5, 6]);
        log.AppendSilence(100);
        log.Append([7]);

        var samples = log.Read(0, log.Length);
        Assert.Equal(103, samples.Length);
        Assert.Equal(5 / 32768f, samples[0]);
        Assert.All(samples[2..102], s => Assert.Equal(0f, s));
        Assert.Equal(7 / 32768f, samples[102]);
    }

    [Fact]
    public void Reopening_continues_the_file_and_cuts_a_trailing_odd_byte()
    {
        var path = temp.File("s.pcm");
        using (var log = PcmLog.Open(path))
        {
            log.Append([1, 2, 3]);
        }

        using (var append = new FileStream(path, FileMode.Append))
        {
            append.WriteByte(0x7f);
        }

        using var reopened = PcmLog.Open(path);
        Assert.Equal(6, reopened.Length);
        reopened.Append([4]);
        reopened.Flush(durable: false);

        Assert.Equal(new float[] { 1, 2, 3, 4 }.Select(s => s / 32768f), reopened.Read(0, 8));
        Assert.Equal(Signals.ToBytes([1, 2, 3, 4]), TempDirectory.ReadShared(path));
    }

    [Fact]
    public void Ranges_outside_the_log_or_misaligned_are_refused_with_a_clear_message()
    {
        using var log = PcmLog.Open(temp.File("s.pcm"));
        log.Append(new short[10]);

        var beyond = Assert.Throws<ArgumentOutOfRangeException>(() => log.Read(0, 22));
        Assert.Contains("outside the log [0, 20)", beyond.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => log.Read(-2, 4));
        Assert.Throws<ArgumentOutOfRangeException>(() => log.Read(6, 4));
        var odd = Assert.Throws<ArgumentOutOfRangeException>(() => log.Read(1, 5));
        Assert.Contains("not aligned", odd.Message);
    }

    [Fact]
    public void Counters_report_file_reads()
    {
        var path = temp.File("s.pcm");
        using var log = PcmLog.Open(path);
        log.Append(new short[1000]);
        log.Flush(durable: false);

        log.Read(0, 2000);
        log.Read(1000, 1600);

        Assert.Equal(new PcmLogCounters(2000, 2600, 2, 0), log.Counters);
    }
}
