namespace Muesli.Inference.Asr.Tdt;

/// <summary>How <see cref="NemoTdtEngine"/> decodes, and how it splits a window too long for one encoder pass.</summary>
public sealed record NemoTdtOptions
{
    public static readonly NemoTdtOptions Default = new();

    /// <summary>Longest audio encoded in one pass; Parakeet handles about 24 min, longer windows are chunked.</summary>
    public double MaxWindowSeconds { get; init; } = 20 * 60;

    /// <summary>Audio two neighbouring chunks share; each keeps the words that start on its side of the overlap's middle.</summary>
    public double ChunkOverlapSeconds { get; init; } = 10;

    /// <summary>Tokens emitted on one encoder frame before the decoder moves on regardless.</summary>
    public int MaxSymbolsPerFrame { get; init; } = TdtGreedyDecoder.DefaultMaxSymbolsPerFrame;
}
