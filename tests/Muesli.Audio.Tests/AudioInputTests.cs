using System.Text;
using Xunit;
using Muesli.Tests.Shared;

namespace Muesli.Audio.Tests;

/// <summary>A fact that checks file permissions, which root ignores: skipped where the tests run privileged.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class UnprivilegedFactAttribute : FactAttribute
{
    public UnprivilegedFactAttribute()
    {
        if (OperatingSystem.IsWindows() || Environment.IsPrivilegedProcess)
        {
            Skip = "permissions are not enforced for a privileged process (or on Windows)";
        }
    }
}

public sealed class AudioInputTests : IDisposable
{
    private const double Hz = 440;
    private const double Amplitude = 0.5;

    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    private string Write(string name, byte[] bytes)
    {
        var path = temp.File(name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    /// <summary>The same tone as 16-bit mono at <paramref name="rate"/>: the reference every other form must match.</summary>
    private float[] Reference(int rate, int frames) =>
        AudioFile.Read16kMono(Write($"reference-{rate}.wav", TestWav.Encode(TestWav.Tone(rate, 1, Hz, Amplitude, frames), 1, rate, WavForm.Signed16)));

    private static float[] ReadInPieces(string path, int largest, int seed)
    {
        using var input = AudioFile.Open(path);
        var samples = new List<float>();
        var random = new Random(seed);
        var piece = new float[largest];
        int read;
        while ((read = input.Read(piece.AsSpan(0, random.Next(1, largest + 1)))) > 0)
        {
            samples.AddRange(piece.AsSpan(0, read));
        }

        Assert.Equal(0, input.Read(piece));
        return [.. samples];
    }

    private static void AssertClose(float[] expected, float[] actual, double tolerance)
    {
        Assert.Equal(expected.Length, actual.Length);
        var worst = expected.Zip(actual).Select(p => Math.Abs(p.First - p.Second)).DefaultIfEmpty().Max();
        Assert.True(worst <= tolerance, $"largest difference {worst} > {tolerance}");
    }

    [Theory]
    [InlineData(WavForm.Unsigned8, 1, 8000, false)]
    [InlineData(WavForm.Signed16, 2, 44100, false)]
    [InlineData(WavForm.Signed24, 1, 48000, false)]
    [InlineData(WavForm.Signed24, 6, 48000, true)]
    [InlineData(WavForm.Signed32, 2, 96000, false)]
    [InlineData(WavForm.Signed32, 4, 32000, true)]
    [InlineData(WavForm.Float32, 1, 22050, false)]
    [InlineData(WavForm.Float32, 8, 16000, true)]
    [InlineData(WavForm.Float64, 2, 192000, false)]
    [InlineData(WavForm.Signed16, 3, 11025, true)]
    public void Every_wav_form_reads_as_the_16_bit_reference(WavForm form, int channels, int rate, bool extensible)
    {
        var frames = (rate * 3 / 2) + 7;
        var path = Write("form.wav", TestWav.Encode(TestWav.Tone(rate, channels, Hz, Amplitude, frames), channels, rate, form, extensible, listChunk: true));

        var samples = AudioFile.Read16kMono(path);

        Assert.Equal((long)frames * 16000 / rate, samples.Length);
        AssertClose(Reference(rate, frames), samples, form == WavForm.Unsigned8 ? 1.0 / 64 : 2e-4);
    }

    [Fact]
    public void The_header_is_described_and_the_length_known_before_reading()
    {
        var path = Write("six.wav", TestWav.Encode(TestWav.Tone(48000, 6, Hz, Amplitude, 96000), 6, 48000, WavForm.Signed24, extensible: true));

        using var input = AudioFile.Open(path);

        Assert.Equal("WAV PCM 24-bit, 48000 Hz, 6 ch", input.Description);
        Assert.Equal((48000, 6, 2.0), (input.SampleRate, input.Channels, input.DurationSeconds));
        Assert.Equal(0, input.SecondsRead);
        Assert.Equal("WAV PCM 24-bit, 48000 Hz, 6 ch", AudioFile.Check(path));
        Assert.Equal("WAV float 64-bit, 8000 Hz, 1 ch", AudioFile.Check(Write("f.wav", TestWav.Encode([0.1, 0.2], 1, 8000, WavForm.Float64))));
    }

    [Theory]
    [InlineData(44100, 2, 1)]
    [InlineData(44100, 2, 700)]
    [InlineData(16000, 1, 3)]
    [InlineData(8000, 1, 5000)]
    public void Reading_in_small_pieces_gives_the_whole_read(int rate, int channels, int largestPiece)
    {
        var frames = (rate * 2) + 3;
        var path = Write("noise.wav", TestWav.Encode(TestWav.Tone(rate, channels, 3000, 0.7, frames), channels, rate, WavForm.Signed24));

        var pieces = ReadInPieces(path, largestPiece, seed: rate + largestPiece);

        Assert.Equal(AudioFile.Read16kMono(path), pieces);
        using var input = AudioFile.Open(path);
        while (input.Read(new float[1000]) > 0)
        {
        }

        Assert.Equal((double)frames / rate, input.SecondsRead, 9);
    }

    [Theory]
    [InlineData(0u, 0u)]
    [InlineData(uint.MaxValue, uint.MaxValue)]
    [InlineData(0x7FFFF000u, 0x7FFFF024u)]
    public void A_streamed_wav_whose_sizes_were_never_filled_in_is_read_to_the_end(uint dataSize, uint riffSize)
    {
        var tone = TestWav.Tone(44100, 2, Hz, Amplitude, 44100);
        var proper = AudioFile.Read16kMono(Write("proper.wav", TestWav.Encode(tone, 2, 44100, WavForm.Signed16)));

        var streamed = AudioFile.Read16kMono(Write("streamed.wav", TestWav.Encode(tone, 2, 44100, WavForm.Signed16, dataSize: dataSize, riffSize: riffSize)));

        Assert.Equal(proper, streamed);
    }

    [Fact]
    public void A_wav_shorter_than_its_header_says_is_truncated_in_seconds()
    {
        var path = Write("cut.wav", TestWav.Encode(new double[500], 1, 16000, WavForm.Signed16, dataSize: 3_800_000));

        var error = Assert.Throws<AudioFileException>(() => AudioFile.Check(path));

        Assert.Equal(AudioFileProblem.Truncated, error.Problem);
        Assert.Contains(path, error.Message);
        Assert.Contains("promises 118.8 s of audio (3800000 bytes) but the file holds 0.0 s (1000 bytes)", error.Message);
    }

    [Fact]
    public void A_wav_cut_inside_its_header_is_truncated()
    {
        var whole = TestWav.Encode(new double[100], 1, 16000, WavForm.Signed16);
        var path = Write("head.wav", whole[..20]);

        var error = Assert.Throws<AudioFileException>(() => AudioFile.Open(path));

        Assert.Equal(AudioFileProblem.Truncated, error.Problem);
        Assert.Contains(path, error.Message);
    }

    [Fact]
    public void A_missing_file_a_folder_and_an_empty_file_each_say_so()
    {
        var missing = temp.File("absent.wav");
        var folder = temp.File("recordings");
        Directory.CreateDirectory(folder);
        var empty = Write("empty.wav", []);

        var errors = new[] { missing, folder, empty }.Select(p => Assert.Throws<AudioFileException>(() => AudioFile.Open(p))).ToArray();

        Assert.Equal([AudioFileProblem.NotFound, AudioFileProblem.IsDirectory, AudioFileProblem.Empty], errors.Select(e => e.Problem));
        Assert.Equal($"audio file not found: {missing}", errors[0].Message);
        Assert.Equal($"{folder} is a folder, not an audio file", errors[1].Message);
        Assert.Equal($"{empty} is empty (0 bytes)", errors[2].Message);
    }

    [Fact]
    public void Garbage_is_unreadable_and_the_message_offers_a_conversion()
    {
        var path = Write("take 2.wav", Encoding.ASCII.GetBytes("\0\u0001\u0002garbage garbage garbage"));

        var error = Assert.Throws<AudioFileException>(() => AudioFile.Open(path));

        Assert.Equal(AudioFileProblem.Unreadable, error.Problem);
        Assert.Contains(path, error.Message);
        Assert.Contains($"ffmpeg -i '{path}' -ar 16000 '{temp.File("take 2-16k.wav")}'", error.Message);
    }

    [UnprivilegedFact]
    public void A_file_that_may_not_be_read_is_unreadable()
    {
        var path = Write("secret.wav", TestWav.Encode(new double[100], 1, 16000, WavForm.Signed16));
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.None);
        }

        var error = Assert.Throws<AudioFileException>(() => AudioFile.Open(path));

        Assert.Equal(AudioFileProblem.Unreadable, error.Problem);
        Assert.Equal($"{path} cannot be read: permission denied", error.Message);
    }

    public static TheoryData<string, byte[], string> UnsupportedFiles => new()
    {
        { "talk.flac", Bytes("fLaC\0\0\0\u0022"), "FLAC audio" },
        { "talk.m4a", Bytes("\0\0\0\u0020ftypM4A \0\0\0\0"), "an MP4/M4A file" },
        { "talk.opus", Bytes("OggS\0\u0002\0\0\0\0\0\0\0\0\u0001\0\0\0\0\0\0\0\0\0\0\0\u0001\u0013OpusHead\u0001\u0002"), "Ogg Opus audio" },
        { "talk.ogg", Bytes("OggS\0\u0002\0\0\0\0\0\0\0\0\u0001\0\0\0\0\0\0\0\0\0\0\0\u0001\u001E\u0001vorbis\0\0"), "Ogg Vorbis audio" },
        { "talk.wma", [0x30, 0x26, 0xB2, 0x75, 0x8E, 0x66, 0xCF, 0x11, 0xA6, 0xD9, 0x00, 0xAA, 0x00, 0x62, 0xCE, 0x6C, 0, 0], "WMA/ASF audio" },
        { "talk.aiff", Bytes("FORM\0\0\u0010\0AIFFCOMM"), "AIFF audio" },
        { "talk.aac", [0xFF, 0xF1, 0x50, 0x80, 0x02, 0x1F, 0xFC], "AAC audio (ADTS)" },
        { "talk.avi", Bytes("RIFF\u0004\0\0\0AVI LIST"), "a RIFF file of type 'AVI '" },
        // The name is not trusted: FLAC called .wav is still FLAC.
        { "disguised.wav", Bytes("fLaC\0\0\0\u0022"), "FLAC audio" },
    };

    private static byte[] Bytes(string text) => Encoding.Latin1.GetBytes(text);

    [Theory]
    [MemberData(nameof(UnsupportedFiles))]
    public void Known_formats_that_are_not_decoded_are_named_with_a_conversion(string name, byte[] bytes, string what)
    {
        var path = Write(name, bytes);
        var output = Path.GetExtension(name) == ".wav" ? temp.File("disguised-16k.wav") : Path.ChangeExtension(path, ".wav");

        var error = Assert.Throws<AudioFileException>(() => AudioFile.Check(path));

        Assert.Equal(AudioFileProblem.Unsupported, error.Problem);
        Assert.StartsWith($"{path} is {what}", error.Message);
        Assert.Contains("Supported: WAV", error.Message);
        Assert.Contains("and MP3", error.Message);
        Assert.EndsWith($"ffmpeg -i {path} -ar 16000 {output}", error.Message);
    }

    [Fact]
    public void A_wav_named_mp3_is_read_as_the_wav_it_is()
    {
        var tone = TestWav.Tone(16000, 1, Hz, Amplitude, 1600);
        var path = Write("really-a.mp3", TestWav.Encode(tone, 1, 16000, WavForm.Float32));

        Assert.Equal(tone.Select(v => (float)v), AudioFile.Read16kMono(path));
    }

    [Fact]
    public void An_id3_tag_with_no_mp3_frame_after_it_is_truncated()
    {
        var tag = new byte[10 + 100];
        Encoding.ASCII.GetBytes("ID3\u0004\0\0\0\0\0\u0064").CopyTo(tag, 0);

        var error = Assert.Throws<AudioFileException>(() => AudioFile.Open(Write("tag-only.mp3", tag)));
        var withJunk = Assert.Throws<AudioFileException>(() => AudioFile.Open(Write("tag-and-junk.mp3", [.. tag, .. new byte[500]])));

        Assert.Equal((AudioFileProblem.Truncated, AudioFileProblem.Truncated), (error.Problem, withJunk.Problem));
        Assert.Contains("tag-only.mp3", error.Message);
        Assert.Contains("no MP3 frame", withJunk.Message);
    }

    [ToolFact("lame")]
    public void An_mp3_from_lame_streams_as_its_tone_at_16kHz()
    {
        var wav = Write("tone.wav", TestWav.Encode(TestWav.Tone(44100, 2, 1000, Amplitude, 44100 * 3), 2, 44100, WavForm.Signed16));
        var mp3 = temp.File("tone.mp3");
        ExternalTool.Run("lame", "--quiet", "-b", "128", wav, mp3);

        using (var input = AudioFile.Open(mp3))
        {
            Assert.Equal("MP3 128 kb/s, 44100 Hz, 2 ch", input.Description);
            Assert.Equal((44100, 2), (input.SampleRate, input.Channels));
            Assert.InRange(input.DurationSeconds!.Value, 2.95, 3.05);
        }

        var samples = AudioFile.Read16kMono(mp3);

        // LAME's header gives its delay and padding, so the length comes back within a frame.
        Assert.InRange(samples.Length, (3 * 16000) - 420, (3 * 16000) + 420);
        var middle = samples.AsSpan(8000, 32000).ToArray().Select(s => (double)s).ToArray();
        Assert.InRange(Signals.ToneAmplitude(middle, 16000, 1000), Amplitude - 0.03, Amplitude + 0.03);
        Assert.Equal(samples, ReadInPieces(mp3, 333, seed: 5));
    }

    [ToolFact("lame")]
    public void An_mp3_cut_inside_its_first_frame_is_truncated()
    {
        var wav = Write("tone.wav", TestWav.Encode(TestWav.Tone(44100, 1, 1000, Amplitude, 44100), 1, 44100, WavForm.Signed16));
        var mp3 = temp.File("tone.mp3");
        ExternalTool.Run("lame", "--quiet", "-b", "64", wav, mp3);
        var cut = Write("cut.mp3", File.ReadAllBytes(mp3)[..150]);

        var error = Assert.Throws<AudioFileException>(() => AudioFile.Open(cut));

        Assert.Equal(AudioFileProblem.Truncated, error.Problem);
        Assert.Contains(cut, error.Message);
    }

    [ToolFact("sox")]
    public void Files_sox_writes_are_read_or_named()
    {
        var six = temp.File("six.wav");
        ExternalTool.Run("sox", "-n", "-b", "24", "-r", "48000", "-c", "6", six, "synth", "2", "sine", "1000", "vol", "0.5");
        var flac = temp.File("six.flac");
        ExternalTool.Run("sox", six, flac);

        Assert.Equal("WAV PCM 24-bit, 48000 Hz, 6 ch", AudioFile.Check(six));
        var samples = AudioFile.Read16kMono(six);
        Assert.Equal(32000, samples.Length);
        var middle = samples.AsSpan(4000, 24000).ToArray().Select(s => (double)s).ToArray();
        Assert.InRange(Signals.ToneAmplitude(middle, 16000, 1000), 0.49, 0.51);
        Assert.Equal(AudioFileProblem.Unsupported, Assert.Throws<AudioFileException>(() => AudioFile.Check(flac)).Problem);
    }
}
