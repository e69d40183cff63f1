using System.Buffers.Binary;
using System.Text;
using Xunit;

namespace Muesli.Audio.Tests;

public sealed class AudioFileTests : IDisposable
{
    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    /// <summary>The shipped public audio, in <c>shared/testdata</c> beside the repository.</summary>
    private static string TestData(string name)
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, "shared", "testdata", name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException($"shared/testdata/{name} was not found above {AppContext.BaseDirectory}");
    }

    /// <summary>A RIFF walk of our own: the fmt fields and the data chunk's bytes.</summary>
    private static (int Tag, int Channels, int Rate, int Bits, byte[] Data) ParseWav(byte[] file)
    {
        int tag = 0, channels = 0, rate = 0, bits = 0;
        var position = 12;
        while (position + 8 <= file.Length)
        {
            var id = Encoding.ASCII.GetString(file, position, 4);
            var size = BinaryPrimitives.ReadInt32LittleEndian(file.AsSpan(position + 4));
            var body = file.AsSpan(position + 8, Math.Min(size, file.Length - position - 8));
            if (id == "fmt ")
            {
                tag = BinaryPrimitives.ReadUInt16LittleEndian(body);
                channels = BinaryPrimitives.ReadUInt16LittleEndian(body[2..]);
                rate = BinaryPrimitives.ReadInt32LittleEndian(body[4..]);
                bits = BinaryPrimitives.ReadUInt16LittleEndian(body[14..]);
            }
            else if (id == "data")
            {
                return (tag, channels, rate, bits, body.ToArray());
            }

            position += 8 + size + (size & 1);
        }

        throw new InvalidDataException("no data chunk");
    }

    private static byte[] Wav(int tag, int channels, int rate, int bits, byte[] data)
    {
        var blockAlign = channels * bits / 8;
        var file = new byte[44 + data.Length];
        var span = file.AsSpan();
        Encoding.ASCII.GetBytes("RIFF", span);
        BinaryPrimitives.WriteInt32LittleEndian(span[4..], 36 + data.Length);
        Encoding.ASCII.GetBytes("WAVEfmt ", span[8..]);
        BinaryPrimitives.WriteInt32LittleEndian(span[16..], 16);
        BinaryPrimitives.WriteUInt16LittleEndian(span[20..], (ushort)tag);
        BinaryPrimitives.WriteUInt16LittleEndian(span[22..], (ushort)channels);
        BinaryPrimitives.WriteInt32LittleEndian(span[24..], rate);
        BinaryPrimitives.WriteInt32LittleEndian(span[28..], rate * blockAlign);
        BinaryPrimitives.WriteUInt16LittleEndian(span[32..], (ushort)blockAlign);
        BinaryPrimitives.WriteUInt16LittleEndian(span[34..], (ushort)bits);
        Encoding.ASCII.GetBytes("data", span[36..]);
        BinaryPrimitives.WriteInt32LittleEndian(span[40..], data.Length);
        data.CopyTo(span[44..]);
        return file;
    }

    private string Write(string name, byte[] bytes)
    {
        var path = temp.File(name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    [Fact]
    public void Jfk_is_11_seconds_of_16kHz_s16_read_sample_for_sample()
    {
        var path = TestData("jfk.wav");
        var (tag, channels, rate, bits, data) = ParseWav(File.ReadAllBytes(path));
        Assert.Equal((1, 1, 16000, 16), (tag, channels, rate, bits));

        var samples = AudioFile.Read16kMono(path);

        Assert.Equal(11.0, samples.Length / 16000.0, 0);
        Assert.Equal(Signals.ToShorts(data).Select(s => s / 32768f), samples);
    }

    [Fact]
    public void A_float32_file_is_read_as_its_own_values()
    {
        var path = TestData("pyannote-debug/dev00.wav");
        var (tag, channels, rate, _, data) = ParseWav(File.ReadAllBytes(path));
        Assert.Equal((3, 1, 16000), (tag, channels, rate));
        var expected = new float[data.Length / 4];
        for (var i = 0; i < expected.Length; i++)
        {
            expected[i] = BinaryPrimitives.ReadSingleLittleEndian(data.AsSpan(i * 4));
        }

        Assert.Equal(expected, AudioFile.Read16kMono(path));
    }

    [Theory]
    [InlineData(48000, 2)]
    [InlineData(44100, 1)]
    [InlineData(8000, 1)]
    public void Other_rates_and_channel_counts_become_16kHz_mono_without_delay(int rate, int channels)
    {
        var frames = rate * 2;
        var path = Write("tone.wav", Wav(1, channels, rate, 16, Signals.Sine(rate, channels, 1000, 0.5, frames)));

        var samples = AudioFile.Read16kMono(path);

        Assert.Equal((long)frames * 16000 / rate, samples.Length);

        // In phase with the same tone generated at 16 kHz: no delay, no lost tail.
        var expected = Enumerable.Range(0, samples.Length)
            .Select(i => 0.5 * 32767 / 32768 * Math.Sin(2 * Math.PI * 1000 * i / 16000)).ToArray();
        var worst = Enumerable.Range(400, samples.Length - 800).Max(i => Math.Abs(samples[i] - expected[i]));
        Assert.True(worst < 0.01, $"largest difference {worst}");
    }

    [Fact]
    public void Twenty_four_and_thirty_two_bit_integers_and_stereo_floats_are_decoded()
    {
        var values = new[] { 0.5, -0.25, 0.125, -1.0, 0.0 };
        var pcm24 = new byte[values.Length * 3];
        var pcm32 = new byte[values.Length * 4];
        var float32Stereo = new byte[values.Length * 8];
        for (var i = 0; i < values.Length; i++)
        {
            var v24 = (int)(values[i] * 8388608);
            pcm24[i * 3] = (byte)v24;
            pcm24[(i * 3) + 1] = (byte)(v24 >> 8);
            pcm24[(i * 3) + 2] = (byte)(v24 >> 16);
            BinaryPrimitives.WriteInt32LittleEndian(pcm32.AsSpan(i * 4), (int)Math.Max(values[i] * 2147483648, int.MinValue));
            BinaryPrimitives.WriteSingleLittleEndian(float32Stereo.AsSpan(i * 8), (float)values[i]);
            BinaryPrimitives.WriteSingleLittleEndian(float32Stereo.AsSpan((i * 8) + 4), 0f);
        }

        Assert.Equal(values.Select(v => (float)v), AudioFile.Read16kMono(Write("24.wav", Wav(1, 1, 16000, 24, pcm24))));
        Assert.Equal(values.Select(v => (float)v), AudioFile.Read16kMono(Write("32.wav", Wav(1, 1, 16000, 32, pcm32))));
        Assert.Equal(
            values.Select(v => (float)(v / 2)),
            AudioFile.Read16kMono(Write("f.wav", Wav(3, 2, 16000, 32, float32Stereo))));
    }

    [Fact]
    public void A_missing_file_is_reported_clearly()
    {
        var path = temp.File("absent.wav");

        var error = Assert.Throws<AudioFileException>(() => AudioFile.Read16kMono(path));

        Assert.Contains("not found", error.Message);
        Assert.Contains(path, error.Message);
    }

    [Fact]
    public void A_file_that_is_not_audio_is_reported_clearly()
    {
        var path = Write("notes.wav", Encoding.UTF8.GetBytes("minutes of the meeting: nothing was decided"));

        var error = Assert.Throws<AudioFileException>(() => AudioFile.Read16kMono(path));

        Assert.Equal(AudioFileProblem.Unreadable, error.Problem);
        Assert.Contains(path, error.Message);
        Assert.Contains("match no audio format", error.Message);
    }

    [Theory]
    [InlineData(6, 1, 8)] // A-law
    [InlineData(7, 1, 8)] // µ-law
    [InlineData(1, 9, 16)] // more channels than supported
    public void An_unsupported_encoding_is_reported_clearly(int tag, int channels, int bits)
    {
        var path = Write("odd.wav", Wav(tag, channels, 16000, bits, new byte[channels * bits / 8 * 100]));

        var error = Assert.Throws<AudioFileException>(() => AudioFile.Read16kMono(path));

        Assert.Equal(AudioFileProblem.Unsupported, error.Problem);
        Assert.Contains("not supported", error.Message);
        Assert.Contains($"ffmpeg -i {path} -ar 16000 {temp.File("odd-16k.wav")}", error.Message);
    }
}
