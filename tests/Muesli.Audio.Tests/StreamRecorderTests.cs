using Muesli.Core;
using NAudio.Wave;
using Xunit;

namespace Muesli.Audio.Tests;

public sealed class StreamRecorderTests : IDisposable
{
    private static readonly AudioFormat Stereo48k = new(48000, 2);

    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    private static long Us(long frames, int rate) => frames * 1_000_000 / rate;

    [Fact]
    public void Sixteen_kHz_mono_payloads_land_in_the_log_byte_for_byte()
    {
        var payload = Signals.Noise(1, 16000, seed: 1);
        using var recorder = StreamRecorder.Open(temp.Path, "mic", AudioFormat.Asr, new RecorderOptions());

        var outcome = recorder.Append(0, payload);
        recorder.Flush(durable: false);

        Assert.Equal(payload.Length, outcome.PcmBytesAdded);
        Assert.Equal(payload, TempDirectory.ReadShared(temp.File("mic.pcm")));
    }

    [Fact]
    public void The_log_receives_the_resampled_audio()
    {
        using var recorder = StreamRecorder.Open(temp.Path, "system", Stereo48k, new RecorderOptions());
        var frames = 48000 * 2;
        var sine = Signals.Sine(48000, 2, 1000, 0.5, frames);

        // 20 ms payloads, as the app sends them.
        for (var frame = 0; frame < frames; frame += 960)
        {
            recorder.Append(Us(frame, 48000), sine.AsSpan(frame * 4, 960 * 4));
        }

        Assert.Equal(2 * 32000, recorder.Length);
        var middle = recorder.Read(8000, 8000 + (24000 * 2)).Select(s => (double)s).ToArray().AsSpan();
        Assert.InRange(Signals.ToneAmplitude(middle, 16000, 1000), 0.485, 0.515);
        Assert.InRange(Signals.ZeroCrossings(middle), 2999, 3001);
    }

    [Fact]
    public void A_pts_gap_becomes_silence_of_the_right_length_in_the_log()
    {
        using var recorder = StreamRecorder.Open(temp.Path, "mic", AudioFormat.Asr, new RecorderOptions());
        var first = Signals.Noise(1, 1000, seed: 2);
        var second = Signals.Noise(1, 1000, seed: 3);

        recorder.Append(0, first);
        var outcome = recorder.Append(500_000, second);
        recorder.Flush(durable: false);

        Assert.Equal(7000, outcome.SilenceFrames);
        Assert.Equal((7000 + 1000) * 2, outcome.PcmBytesAdded);
        Assert.Equal([.. first, .. new byte[7000 * 2], .. second], TempDirectory.ReadShared(temp.File("mic.pcm")));
    }

    [Fact]
    public void A_pts_gap_at_48kHz_becomes_silence_of_the_right_length_at_16kHz()
    {
        using var recorder = StreamRecorder.Open(temp.Path, "system", Stereo48k, new RecorderOptions());
        recorder.Append(0, Signals.Sine(48000, 2, 440, 0.5, 4800));

        var outcome = recorder.Append(10_100_000, Signals.Sine(48000, 2, 440, 0.5, 4800));

        var totalFrames = 4800L + (48000 * 10) + 4800;
        Assert.Equal(48000 * 10, outcome.SilenceFrames);
        Assert.Equal(totalFrames * 16000 / 48000 * 2, recorder.Length);

        // Clear of the tones' edges (and the filter's reach around them), the gap is digital silence.
        var gap = recorder.Read(2 * 2000, 2 * 160_000);
        Assert.All(gap, s => Assert.Equal(0f, s));
    }

    [Fact]
    public void Rejected_payloads_change_nothing_and_say_why()
    {
        using var recorder = StreamRecorder.Open(temp.Path, "mic", AudioFormat.Asr, new RecorderOptions());
        recorder.Append(0, new byte[320]);

        var outcome = recorder.Append(PtsAligner.MaxPtsUs + 1, new byte[320]);

        Assert.StartsWith("invalid_pts", outcome.Rejection);
        Assert.Equal(0, outcome.PcmBytesAdded);
        Assert.Equal(320, recorder.Length);
    }

    [Fact]
    public void Resuming_continues_at_the_right_position_and_resent_frames_add_nothing()
    {
        var payloads = Enumerable.Range(0, 10).Select(i => Signals.Noise(1, 320, seed: 10 + i)).ToArray();
        using (var recorder = StreamRecorder.Open(temp.Path, "mic", AudioFormat.Asr, new RecorderOptions()))
        {
            for (var i = 0; i < 6; i++)
            {
                recorder.Append(i * 20_000, payloads[i]);
            }
        }

        using (var resumed = StreamRecorder.Open(temp.Path, "mic", AudioFormat.Asr, new RecorderOptions()))
        {
            Assert.Equal(6 * 640, resumed.Length);
            Assert.Equal(6 * 320, resumed.SourceFrames);

            // The client re-sends from the start, then carries on.
            for (var i = 0; i < 10; i++)
            {
                resumed.Append(i * 20_000, payloads[i]);
            }

            Assert.Equal(6 * 320, resumed.TotalDroppedFrames);
        }

        Assert.Equal(payloads.SelectMany(p => p), TempDirectory.ReadShared(temp.File("mic.pcm")));
    }

    [Fact]
    public void Resuming_at_48kHz_starts_a_quarter_second_early_on_a_whole_period_and_cuts_the_archive_there()
    {
        var options = new RecorderOptions { KeepWav = true };
        var tone = Signals.Sine(48000, 2, 300, 0.3, 96000);
        using (var recorder = StreamRecorder.Open(temp.Path, "system", Stereo48k, options))
        {
            recorder.Append(0, tone.AsSpan(0, 48000 * 4));
            recorder.Append(Us(48000, 48000), tone.AsSpan(48000 * 4, 1001 * 4));
        }

        // 49001 source frames made floor(49001 / 3) = 16333 log samples, which stand for round(16333 · 3) = 48999
        // frames; the resampler warms up from 0.25 s (12000 frames) before, on a multiple of 3: 36999 → 36999.
        using (var resumed = StreamRecorder.Open(temp.Path, "system", Stereo48k, options))
        {
            Assert.Equal(16333 * 2, resumed.Length);
            Assert.Equal(36999, resumed.SourceFrames);
            Assert.Equal(Us(36999, 48000), resumed.ResumePtsUs);

            var outcome = resumed.Append(Us(36000, 48000), tone.AsSpan(36000 * 4, 14000 * 4));
            Assert.Equal(999, outcome.DroppedFrames);
            Assert.Equal(50000, resumed.SourceFrames);
        }

        using var reader = new WaveFileReader(temp.File("system.wav"));
        var archived = new byte[reader.Length];
        reader.ReadExactly(archived);
        Assert.Equal(tone[..(50000 * 4)], archived);
    }

    [Theory]
    [InlineData(44100, 2)]
    [InlineData(48000, 1)]
    [InlineData(16000, 1)]
    public void A_reopened_stream_whose_client_resends_continues_exactly_as_an_uninterrupted_recording(int rate, int channels)
    {
        var format = new AudioFormat(rate, channels);
        var frame = 2 * channels;
        var audio = Signals.Noise(channels, rate * 3, seed: 42);
        var chunks = Enumerable.Range(0, 150).Select(i => (Pts: Us(i * rate / 50, rate), Bytes: audio[(i * rate / 50 * frame)..((i + 1) * rate / 50 * frame)])).ToArray();
        using var whole = new TempDirectory();
        using (var recorder = StreamRecorder.Open(whole.Path, "system", format, new RecorderOptions()))
        {
            foreach (var (pts, bytes) in chunks)
            {
                recorder.Append(pts, bytes);
            }
        }

        using (var first = StreamRecorder.Open(temp.Path, "system", format, new RecorderOptions()))
        {
            foreach (var (pts, bytes) in chunks.Take(77))
            {
                first.Append(pts, bytes);
            }
        }

        using (var resumed = StreamRecorder.Open(temp.Path, "system", format, new RecorderOptions()))
        {
            foreach (var (pts, bytes) in chunks.Where(c => c.Pts + Us(c.Bytes.Length / frame, rate) > resumed.ResumePtsUs))
            {
                resumed.Append(pts, bytes);
            }
        }

        Assert.Equal(TempDirectory.ReadShared(whole.File("system.pcm")), TempDirectory.ReadShared(temp.File("system.pcm")));
    }

    [Fact]
    public void An_archive_is_written_at_the_source_rate_with_the_gaps_filled()
    {
        var options = new RecorderOptions { KeepWav = true };
        var first = Signals.Noise(2, 480, seed: 4);
        var second = Signals.Noise(2, 480, seed: 5);
        using (var recorder = StreamRecorder.Open(temp.Path, "system", Stereo48k, options))
        {
            Assert.Equal(temp.File("system.wav"), recorder.WavPath);
            recorder.Append(0, first);
            recorder.Append(20_000, second);
        }

        using var reader = new WaveFileReader(temp.File("system.wav"));
        Assert.Equal(48000, reader.WaveFormat.SampleRate);
        Assert.Equal(2, reader.WaveFormat.Channels);
        var archived = new byte[reader.Length];
        reader.ReadExactly(archived);
        Assert.Equal([.. first, .. new byte[480 * 4], .. second], archived);
    }

    [Fact]
    public void Without_keep_wav_there_is_no_archive()
    {
        using var recorder = StreamRecorder.Open(temp.Path, "system", Stereo48k, new RecorderOptions());
        recorder.Append(0, new byte[4000]);

        Assert.Null(recorder.WavPath);
        Assert.False(File.Exists(temp.File("system.wav")));
    }

    [Fact]
    public void Live_reads_come_from_memory_without_touching_the_disk_and_match_the_disk()
    {
        using var recorder = StreamRecorder.Open(
            temp.Path, "system", Stereo48k, new RecorderOptions { RingSeconds = 60 });
        var audio = Signals.Noise(2, 48000 * 20, seed: 6);
        for (var frame = 0; frame < 48000 * 20; frame += 960)
        {
            recorder.Append(Us(frame, 48000), audio.AsSpan(frame * 4, 960 * 4));
        }

        recorder.Flush(durable: false);
        var end = recorder.Length;
        var start = 32000 * 5;
        Assert.True(recorder.InMemory(start, end));

        var fromMemory = recorder.Read(start, end);
        Assert.Equal(0, recorder.Log.Counters.BytesRead);

        var fromDisk = recorder.Log.Read(start, end);
        Assert.True(recorder.Log.Counters.BytesRead > 0);
        Assert.Equal(fromDisk, fromMemory);
    }

    [Fact]
    public void Reads_older_than_the_ring_come_from_disk()
    {
        using var recorder = StreamRecorder.Open(
            temp.Path, "mic", AudioFormat.Asr, new RecorderOptions { RingSeconds = 2 });
        var audio = Signals.Noise(1, 16000 * 5, seed: 7);
        recorder.Append(0, audio);

        Assert.False(recorder.InMemory(0, 32000));
        Assert.True(recorder.InMemory(32000 * 3, 32000 * 5));
        var old = recorder.Read(0, 32000);

        Assert.Equal(Signals.ToShorts(audio.AsSpan(0, 32000)).Select(s => s / 32768f), old);
        Assert.True(recorder.Log.Counters.BytesRead > 0);
    }

    [Fact]
    public void A_resumed_recorder_serves_the_old_audio_from_disk_and_the_new_from_memory()
    {
        var first = Signals.Noise(1, 8000, seed: 8);
        using (var recorder = StreamRecorder.Open(temp.Path, "mic", AudioFormat.Asr, new RecorderOptions()))
        {
            recorder.Append(0, first);
        }

        using var resumed = StreamRecorder.Open(temp.Path, "mic", AudioFormat.Asr, new RecorderOptions());
        resumed.Append(500_000, Signals.Noise(1, 8000, seed: 9));

        Assert.False(resumed.InMemory(0, 16000));
        Assert.True(resumed.InMemory(16000, 32000));
    }

    [Fact]
    public void Rms_is_that_of_the_payload_in_zero_to_one()
    {
        using var recorder = StreamRecorder.Open(temp.Path, "mic", AudioFormat.Asr, new RecorderOptions());
        var payload = Signals.Noise(1, 1600, seed: 10);
        var samples = Signals.ToShorts(payload);
        var expected = Math.Sqrt(samples.Average(s => (double)s * s)) / 32768;

        Assert.Equal(expected, recorder.Append(0, payload).Rms, 12);
        Assert.Equal(1.0, recorder.Append(100_000, Signals.ToBytes([short.MinValue, short.MinValue])).Rms, 12);
        Assert.Equal(0.0, recorder.Append(200_000, []).Rms);
    }

    [Fact]
    public void Close_deletes_the_log_unless_it_is_kept()
    {
        var kept = StreamRecorder.Open(temp.Path, "mic", AudioFormat.Asr, new RecorderOptions());
        kept.Append(0, new byte[640]);
        kept.Close(keepPcm: true);
        Assert.Equal(640, new FileInfo(temp.File("mic.pcm")).Length);

        var dropped = StreamRecorder.Open(temp.Path, "system", AudioFormat.Asr, new RecorderOptions());
        dropped.Append(0, new byte[640]);
        dropped.Close(keepPcm: false);
        Assert.False(File.Exists(temp.File("system.pcm")));
    }
}
