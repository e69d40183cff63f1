namespace Muesli.Inference.Asr.Tdt;

/// <summary>How <see cref="NemoTdtEngine"/> decodes, and how it splits a window too long for one encoder pass.</summary>
public sealed record NemoTdtOptions
{
    public static readonly NemoTdtOptions Default = new();

    /// <summary>The chunks a window longer than one encoder pass is transcribed in.</summary>
    public LongAudioOptions LongAudio { get; init; } = LongAudioOptions.Default;

    /// <summary>Tokens emitted on one encoder frame before the decoder moves on regardless.</summary>
    public int MaxSymbolsPerFrame { get; init; } = TdtGreedyDecoder.DefaultMaxSymbolsPerFrame;
}
