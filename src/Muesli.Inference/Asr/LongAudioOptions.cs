namespace Muesli.Inference.Asr;

/// <summary>How an engine splits audio too long for one encoder pass (<see cref="LongAudioChunks"/>).</summary>
public sealed record LongAudioOptions
{
    public static readonly LongAudioOptions Default = new();

    /// <summary>How far each chunk must reach past the previous one's overlap.</summary>
    public const double MinChunkStepSeconds = 1;

    /// <summary>
    /// Longest audio encoded in one pass. The FastConformer exports (Parakeet TDT, NeMo CTC) hold a position table of
    /// 5000 encoder frames, about 400 s; 300 s stays clear of it. A model that declares a shorter limit gets shorter chunks.
    /// </summary>
    public double MaxChunkSeconds { get; init; } = 300;

    /// <summary>Audio two neighbouring chunks share; each keeps the words that start on its side of the overlap's middle.</summary>
    public double OverlapSeconds { get; init; } = 10;

    /// <summary>Throws when a chunk would not advance <see cref="MinChunkStepSeconds"/> past its overlap.</summary>
    public void Validate()
    {
        if (!(OverlapSeconds >= 0) || double.IsInfinity(MaxChunkSeconds) || !(MaxChunkSeconds - OverlapSeconds >= MinChunkStepSeconds))
        {
            throw new ArgumentException(
                $"a chunk must advance at least {MinChunkStepSeconds} s past its overlap, got {MaxChunkSeconds} s chunks and a {OverlapSeconds} s overlap");
        }
    }
}
