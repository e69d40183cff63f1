using NLayer;

namespace Muesli.Audio.Decoders;

/// <summary>
/// MPEG audio (MP3, and MP2/MP1) with NLayer, fed through a stream that cannot seek so that NLayer forgets each frame
/// once decoded: memory stays bounded however long the file. Encoder delay and padding are trimmed where the file's
/// LAME/Xing header gives them.
/// </summary>
internal sealed class Mp3Decoder : IAudioDecoder
{
    private const int FramesPerRead = 4096;

    private readonly FileStream file;
    private readonly MpegFile mpeg;
    private readonly float[] interleaved;

    private Mp3Decoder(FileStream file, MpegFile mpeg, MpegHeader first, long audioBytes, bool variable)
    {
        this.file = file;
        this.mpeg = mpeg;

        // Read now: NLayer answers these from a frame it drops once decoded.
        SampleRate = mpeg.SampleRate;
        Channels = mpeg.Channels;
        interleaved = new float[FramesPerRead * Channels];
        var fromHeader = mpeg.Duration.TotalSeconds;
        DurationSeconds = fromHeader > 0 ? fromHeader : audioBytes * 8.0 / (first.BitrateKbps * 1000.0);
        var bitrate = variable && fromHeader > 0
            ? $"VBR ~{Math.Round(audioBytes * 8.0 / fromHeader / 1000)} kb/s"
            : $"{first.BitrateKbps} kb/s";
        Description = $"{first.Name} {bitrate}, {SampleRate} Hz, {Channels} ch";
    }

    public string Description { get; }

    public int SampleRate { get; }

    public int Channels { get; }

    public double? DurationSeconds { get; }

    /// <summary>Opens the MPEG audio whose first frame, <paramref name="first"/>, starts at <paramref name="audioStart"/>.</summary>
    public static Mp3Decoder Open(string path, FileStream file, long audioStart, MpegHeader first)
    {
        var firstFrame = new byte[Math.Min(first.FrameBytes, 256)];
        file.Position = audioStart;
        var seen = file.ReadAtLeast(firstFrame, firstFrame.Length, throwOnEndOfStream: false);
        var variable = firstFrame.AsSpan(0, seen).IndexOf("Xing"u8) >= 0 || firstFrame.AsSpan(0, seen).IndexOf("VBRI"u8) >= 0;

        file.Position = 0;
        try
        {
            var mpeg = new MpegFile(new ForwardOnlyStream(file));
            return new Mp3Decoder(file, mpeg, first, file.Length - audioStart, variable);
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException or IndexOutOfRangeException
                                      or ArgumentException or NullReferenceException)
        {
            if (file.Length - audioStart < 2L * first.FrameBytes)
            {
                throw AudioProblems.Truncated(
                    path, $"it starts like an {first.Name} file but ends after {file.Length} bytes, before one whole {first.Name} frame");
            }

            throw AudioProblems.Unreadable(path, $"it starts like an {first.Name} file but holds no {first.Name} frame that can be decoded", e);
        }
        catch (InvalidOperationException e)
        {
            throw AudioProblems.Unsupported(path, $"a free-format {first.Name} stream ({e.Message})");
        }
    }

    public int ReadMono(Span<float> mono)
    {
        var wanted = Math.Min(mono.Length, FramesPerRead) * Channels;
        var frames = mpeg.ReadSamples(interleaved.AsSpan(0, wanted)) / Channels;
        for (var frame = 0; frame < frames; frame++)
        {
            var sum = 0.0;
            for (var channel = 0; channel < Channels; channel++)
            {
                sum += interleaved[(frame * Channels) + channel];
            }

            mono[frame] = (float)Math.Clamp(sum / Channels, -1.0, 1.0);
        }

        return frames;
    }

    public void Dispose()
    {
        mpeg.Dispose();
        file.Dispose();
    }

    /// <summary>The file as a stream that cannot seek: NLayer then keeps no index of the frames it has passed.</summary>
    private sealed class ForwardOnlyStream(Stream inner) : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => inner.Position;
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);

        public override int Read(Span<byte> buffer) => inner.Read(buffer);

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
