using System.Buffers.Binary;
using Muesli.Core;
using NAudio.Wave;
using Xunit;

namespace Muesli.Audio.Tests;

public sealed class WavAppenderTests : IDisposable
{
    private static readonly AudioFormat Stereo48k = new(48000, 2);

    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    private static (WaveFormat Format, byte[] Data) ReadWithNAudio(string path)
    {
        using var reader = new WaveFileReader(path);
        var data = new byte[reader.Length];
        reader.ReadExactly(data);
        return (reader.WaveFormat, data);
    }

    [Fact]
    public void NAudio_reads_the_archive_with_its_format_and_data()
    {
        var path = temp.File("system.wav");
        var first = Signals.Noise(2, 1000, seed: 1);
        var second = Signals.Noise(2, 333, seed: 2);
        using (var wav = WavAppender.Open(path, Stereo48k))
        {
            wav.Append(first);
            wav.AppendSilence(50);
            wav.Append(second);
            Assert.Equal(1383, wav.Frames);
        }

        var (format, data) = ReadWithNAudio(path);
        Assert.Equal(WaveFormatEncoding.Pcm, format.Encoding);
        Assert.Equal(48000, format.SampleRate);
        Assert.Equal(2, format.Channels);
        Assert.Equal(16, format.BitsPerSample);
        Assert.Equal([.. first, .. new byte[50 * 4], .. second], data);
        Assert.Equal(44 + data.Length, new FileInfo(path).Length);
    }

    [Fact]
    public void Flush_makes_the_header_match_the_data_while_the_file_stays_open()
    {
        var path = temp.File("mic.wav");
        using var wav = WavAppender.Open(path, Stereo48k);
        wav.Append(Signals.Noise(2, 100, seed: 3));
        wav.Flush();

        var bytes = TempDirectory.ReadShared(path);
        Assert.Equal(bytes.Length - 8, BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(4)));
        Assert.Equal(400, BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(40)));
    }

    [Fact]
    public void Reopening_continues_the_archive()
    {
        var path = temp.File("system.wav");
        var first = Signals.Noise(2, 500, seed: 4);
        var second = Signals.Noise(2, 700, seed: 5);
        using (var wav = WavAppender.Open(path, Stereo48k))
        {
            wav.Append(first);
        }

        using (var reopened = WavAppender.Open(path, Stereo48k))
        {
            Assert.Equal(500, reopened.Frames);
            reopened.Append(second);
        }

        Assert.Equal([.. first, .. second], ReadWithNAudio(path).Data);
    }

    [Fact]
    public void Reopening_trusts_the_data_on_disk_over_a_stale_header_and_cuts_a_partial_frame()
    {
        var path = temp.File("system.wav");
        var data = Signals.Noise(2, 300, seed: 6);
        using (var wav = WavAppender.Open(path, Stereo48k))
        {
            wav.Append(data);
        }

        // As after a crash: the header still says empty, and half a frame trails the data.
        using (var file = new FileStream(path, FileMode.Open))
        {
            file.Seek(40, SeekOrigin.Begin);
            file.Write(new byte[4]);
            file.Seek(0, SeekOrigin.End);
            file.Write([1, 2, 3]);
        }

        using (var reopened = WavAppender.Open(path, Stereo48k))
        {
            Assert.Equal(300, reopened.Frames);
        }

        Assert.Equal(data, ReadWithNAudio(path).Data);
    }

    [Fact]
    public void Reopening_with_another_format_is_refused_clearly()
    {
        var path = temp.File("system.wav");
        using (var wav = WavAppender.Open(path, Stereo48k))
        {
            wav.Append(new byte[40]);
        }

        var error = Assert.Throws<InvalidDataException>(() => WavAppender.Open(path, new AudioFormat(44100, 2)));
        Assert.Contains("48000 Hz x2", error.Message);
        Assert.Contains("44100 Hz x2", error.Message);
    }

    [Fact]
    public void A_file_that_is_not_such_an_archive_is_refused()
    {
        var path = temp.File("notes.wav");
        File.WriteAllText(path, "these are not the samples you are looking for, not at all");

        Assert.Throws<InvalidDataException>(() => WavAppender.Open(path, Stereo48k));
    }

    [Fact]
    public void SetLength_cuts_or_pads_with_silence()
    {
        var path = temp.File("system.wav");
        var data = Signals.Noise(2, 1000, seed: 7);
        using (var wav = WavAppender.Open(path, Stereo48k))
        {
            wav.Append(data);
            wav.SetLength(600);
            Assert.Equal(600, wav.Frames);
        }

        Assert.Equal(data[..2400], ReadWithNAudio(path).Data);

        using (var wav = WavAppender.Open(path, Stereo48k))
        {
            wav.SetLength(900);
            wav.Append(data[..4]);
            Assert.Equal(901, wav.Frames);
        }

        Assert.Equal([.. data[..2400], .. new byte[1200], .. data[..4]], ReadWithNAudio(path).Data);
    }

    [Fact]
    public void Appending_part_of_a_frame_is_refused()
    {
        using var wav = WavAppender.Open(temp.File("system.wav"), Stereo48k);

        Assert.Throws<ArgumentException>(() => wav.Append(new byte[6]));
    }
}
