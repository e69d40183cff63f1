using Muesli.Inference.Features;

namespace Muesli.Inference.Diarization;

/// <summary>
/// Speaker embeddings of 16 kHz clips: the recipe's Kaldi fbank (<see cref="KaldiFbankOptions.WeSpeaker"/> or
/// <see cref="KaldiFbankOptions.CamPlusPlus"/>), then the model; clips with the same number of frames share a run.
/// Not thread-safe (one per pipeline).
/// </summary>
public sealed class SpeakerEmbedder : ISpeakerEmbedder
{
    /// <summary>The shortest clip that makes one fbank frame (25 ms).</summary>
    public const int MinimumSamples = KaldiFbankFrontEnd.FrameLength;

    // Bounds the features one run holds (32 clips of 10 s: 10 MB).
    private const int ClipsPerRun = 32;

    private readonly SpeakerEmbeddingModel model;
    private readonly KaldiFbankFrontEnd fbank;

    public SpeakerEmbedder(string name, SpeakerEmbeddingModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        Name = name;
        this.model = model;
        fbank = new KaldiFbankFrontEnd(model.Recipe.Fbank);
    }

    public string Name { get; }

    public int Dimension => model.Dimension;

    public SpeakerEmbeddingRecipe Recipe => model.Recipe;

    /// <summary>Opens the model with <paramref name="sessions"/> (role "embedding") and validates it against <paramref name="recipe"/>.</summary>
    public static SpeakerEmbedder Load(string name, string modelPath, SpeakerEmbeddingRecipe recipe, OnnxSessionFactory sessions)
    {
        ArgumentNullException.ThrowIfNull(sessions);
        return new SpeakerEmbedder(name, new SpeakerEmbeddingModel(sessions.Create(modelPath, "embedding"), modelPath, recipe));
    }

    public IReadOnlyList<float[]> Embed(IReadOnlyList<ReadOnlyMemory<float>> clips16k)
    {
        ArgumentNullException.ThrowIfNull(clips16k);
        for (var i = 0; i < clips16k.Count; i++)
        {
            if (clips16k[i].Length < MinimumSamples)
            {
                throw new ArgumentException(
                    $"clip {i} has {clips16k[i].Length} samples; a speaker embedding needs at least {MinimumSamples} (25 ms)", nameof(clips16k));
            }
        }

        var embeddings = new float[clips16k.Count][];
        var batch = Math.Min(ClipsPerRun, model.MaxBatch);
        var features = clips16k.Select(c => fbank.Compute(c.Span)).ToArray();
        foreach (var sameLength in Enumerable.Range(0, features.Length).GroupBy(i => features[i].Frames))
        {
            foreach (var run in sameLength.Chunk(batch))
            {
                var size = features[run[0]].Data.Length;
                var stacked = new float[run.Length * size];
                for (var k = 0; k < run.Length; k++)
                {
                    features[run[k]].Data.CopyTo(stacked, k * size);
                }

                var results = model.Run(stacked, run.Length, sameLength.Key);
                for (var k = 0; k < run.Length; k++)
                {
                    embeddings[run[k]] = results[k];
                }
            }
        }

        return embeddings;
    }

    public void Dispose() => model.Dispose();
}
