namespace Muesli.Audio.Decoders;

/// <summary>The 4-byte header that starts every MPEG-1/2/2.5 audio frame (layers I–III).</summary>
internal readonly record struct MpegHeader(int Layer, int BitrateKbps, int SampleRate, int Channels, int FrameBytes)
{
    private static readonly int[][] Mpeg1Kbps =
    [
        [32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448],
        [32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384],
        [32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320],
    ];

    private static readonly int[][] Mpeg2Kbps =
    [
        [32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256],
        [8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
        [8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
    ];

    private static readonly int[] Mpeg1Rates = [44100, 48000, 32000];

    /// <summary>The header at the start of <paramref name="bytes"/>; null unless it is a valid one of fixed bitrate.</summary>
    public static MpegHeader? Parse(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < 4 || bytes[0] != 0xFF || (bytes[1] & 0xE0) != 0xE0)
        {
            return null;
        }

        var version = (bytes[1] >> 3) & 3; // 0: MPEG-2.5, 1: reserved, 2: MPEG-2, 3: MPEG-1
        var layer = 4 - ((bytes[1] >> 1) & 3); // 4 stands for the reserved 0, which ADTS (AAC) uses
        var bitrateIndex = bytes[2] >> 4;
        var rateIndex = (bytes[2] >> 2) & 3;
        if (version == 1 || layer == 4 || bitrateIndex is 0 or 15 || rateIndex == 3)
        {
            return null;
        }

        var kbps = (version == 3 ? Mpeg1Kbps : Mpeg2Kbps)[layer - 1][bitrateIndex - 1];
        var rate = Mpeg1Rates[rateIndex] >> (version == 3 ? 0 : version == 2 ? 1 : 2);
        var padding = (bytes[2] >> 1) & 1;
        var samplesPerFrame = layer == 1 ? 384 : layer == 3 && version != 3 ? 576 : 1152;
        var frameBytes = layer == 1
            ? ((12 * kbps * 1000 / rate) + padding) * 4
            : (samplesPerFrame / 8 * kbps * 1000 / rate) + padding;
        return new MpegHeader(layer, kbps, rate, (bytes[3] >> 6) == 3 ? 1 : 2, frameBytes);
    }

    /// <summary>"MP3", or "MP2"/"MP1" for the older layers.</summary>
    public string Name => $"MP{Layer}";
}
