using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Muesli.Inference.Diarization;

/// <summary>
/// A speaker-embedding export: fbank f32 [B, T, F] in, embeddings f32 [B, D] out, with the tensor names of its
/// <see cref="SpeakerEmbeddingRecipe"/>. The time axis must be dynamic; D comes from the output shape or the
/// <c>output_dim</c> metadata, which must agree; <c>sample_rate</c> and <c>framework</c>, when present, must fit.
/// </summary>
public sealed class SpeakerEmbeddingModel : IDisposable
{
    public const int SampleRate = 16000;

    private readonly InferenceSession session;

    /// <summary>Takes ownership of <paramref name="session"/> (disposes it, also when validation fails).</summary>
    public SpeakerEmbeddingModel(InferenceSession session, string source, SpeakerEmbeddingRecipe recipe)
    {
        ArgumentNullException.ThrowIfNull(recipe);
        this.session = session;
        Source = source;
        Recipe = recipe;
        try
        {
            var signature = new OnnxSignature(session, source);
            signature.RequireSampleRate(SampleRate);
            CheckFramework(signature.Metadata);
            var input = signature.Input(recipe.FeaturesInput, TensorElementType.Float, $"f32 [B, T, {recipe.Fbank.MelBins}]", rank: 3);
            signature.AxisOfShape(input, "input", recipe.FeaturesInput, axis: 2, "features", recipe.Fbank.MelBins);
            if (input.Dimensions[1] > 0)
            {
                throw new InvalidDataException(
                    $"{source}: input '{recipe.FeaturesInput}' has a fixed time axis of {input.Dimensions[1]} frames ({OnnxSignature.Describe(input)}); clips of any length need a dynamic one");
            }

            var output = signature.Output(recipe.EmbeddingOutput, TensorElementType.Float, "f32 [B, D]", rank: 2);
            Dimension = signature.AxisSize(output, "output", recipe.EmbeddingOutput, axis: 1, "output_dim", "dimensions", "embedding");
            MaxBatch = input.Dimensions[0] > 0 ? input.Dimensions[0] : int.MaxValue;
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    /// <summary>The model file, as errors name it.</summary>
    public string Source { get; }

    public SpeakerEmbeddingRecipe Recipe { get; }

    /// <summary>D: the size of one embedding.</summary>
    public int Dimension { get; }

    /// <summary>Clips one run may take: the fixed batch size of the export, if it fixed one.</summary>
    public int MaxBatch { get; }

    /// <summary>Embeddings of <paramref name="clips"/> clips of <paramref name="frames"/> frames each, laid end to end time-major.</summary>
    public float[][] Run(float[] features, int clips, int frames)
    {
        var bins = Recipe.Fbank.MelBins;
        if (clips < 1 || clips > MaxBatch || frames < 1 || features.Length != clips * frames * bins)
        {
            throw new ArgumentException(
                $"{Source}: takes up to {MaxBatch} clips of T × {bins} features, got {features.Length} values for {clips} clips of {frames} frames",
                nameof(features));
        }

        using var x = OrtValue.CreateTensorValueFromMemory(features, [clips, frames, bins]);
        using var runOptions = new RunOptions();
        var timing = StageClock.Time(StageClock.Inference);
        using var outputs = session.Run(runOptions, [Recipe.FeaturesInput], [x], [Recipe.EmbeddingOutput]);
        timing.Dispose();
        var shape = outputs[0].GetTensorTypeAndShape().Shape;
        if (shape.Length != 2 || shape[0] != clips || shape[1] != Dimension)
        {
            throw new InvalidDataException(
                $"{Source}: output '{Recipe.EmbeddingOutput}' should be [{clips}, {Dimension}], found [{string.Join(", ", shape)}]");
        }

        var values = outputs[0].GetTensorDataAsSpan<float>();
        var embeddings = new float[clips][];
        for (var c = 0; c < clips; c++)
        {
            embeddings[c] = values.Slice(c * Dimension, Dimension).ToArray();
        }

        return embeddings;
    }

    public void Dispose() => session.Dispose();

    private void CheckFramework(IReadOnlyDictionary<string, string> metadata)
    {
        if (metadata.TryGetValue("framework", out var framework) && !framework.Trim().Equals(Recipe.Framework, StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidDataException(
                $"{Source}: metadata framework is '{framework}', a {Recipe.Family} model says '{Recipe.Framework}' (is the manifest's family right?)");
        }
    }
}
