namespace Muesli.Core;

/// <summary>Interleaved signed 16-bit little-endian PCM of a given rate and channel count.</summary>
public readonly record struct AudioFormat(int SampleRate, int Channels)
{
    public const int BytesPerSample = 2;

    /// <summary>The ASR format every engine consumes: 16 kHz mono.</summary>
    public static readonly AudioFormat Asr = new(16000, 1);

    public int BytesPerFrame => Channels * BytesPerSample;

    public int BytesPerSecond => SampleRate * BytesPerFrame;

    /// <summary>Rounds a byte count down to a whole number of frames.</summary>
    public long AlignDown(long bytes) => bytes <= 0 ? 0 : bytes - bytes % BytesPerFrame;

    public double SecondsOf(long bytes) => (double)bytes / BytesPerSecond;

    /// <summary>The frame-aligned byte count nearest below <paramref name="seconds"/>.</summary>
    public long BytesOf(double seconds) => AlignDown((long)Math.Floor(seconds * BytesPerSecond));

    public long FramesOf(long bytes) => bytes / BytesPerFrame;

    public override string ToString() => $"{SampleRate} Hz x{Channels}";
}
