using Muesli.Inference.Models;

namespace Muesli.Inference.Tests.Whisper;

/// <summary>
/// A fact that needs a real model's weights from the models folder named by MUESLI_MODELS (laid out by
/// models/fetch.sh). It is skipped, with the reason, when the variable is unset or the model is not installed there;
/// nothing is ever downloaded.
/// </summary>
public sealed class RealModelFactAttribute : FactAttribute
{
    public RealModelFactAttribute(string modelId)
    {
        Skip = RealModels.WhyMissing(modelId, Environment.GetEnvironmentVariable(ModelCatalog.EnvironmentVariable));
    }
}

internal static class RealModels
{
    /// <summary>Why <paramref name="modelId"/> cannot be used from <paramref name="folder"/>, or null when it is installed.</summary>
    public static string? WhyMissing(string modelId, string? folder)
    {
        if (string.IsNullOrWhiteSpace(folder))
        {
            return $"needs the real model {modelId}: set {ModelCatalog.EnvironmentVariable} to a models folder ({ModelCatalog.FetchScript} fills one)";
        }

        if (!Directory.Exists(folder))
        {
            return $"needs the real model {modelId}: {ModelCatalog.EnvironmentVariable} names '{folder}', which does not exist";
        }

        return ModelCatalog.Open(folder).IsInstalled(modelId)
            ? null
            : $"needs the real model {modelId}, which is not installed in '{folder}' ({ModelCatalog.FetchScript} downloads it)";
    }

    public static InstalledModel Resolve(string modelId)
    {
        var folder = Environment.GetEnvironmentVariable(ModelCatalog.EnvironmentVariable)
            ?? throw new InvalidOperationException($"{ModelCatalog.EnvironmentVariable} is not set");
        return ModelCatalog.Open(folder).Resolve(ModelKinds.Asr, modelId);
    }
}
