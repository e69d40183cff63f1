using Muesli.Inference.Models;

namespace Muesli.Inference.Tests.Sortformer;

/// <summary>
/// A fact that needs real weights: it runs only when <c>MUESLI_MODELS</c> names a models folder in which the model is
/// installed, and is skipped otherwise with the reason and the fetch command. It never downloads anything.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
internal sealed class InstalledModelFactAttribute : FactAttribute
{
    public InstalledModelFactAttribute(string modelId)
    {
        Skip = SkipReason(modelId);
    }

    /// <summary>The installed model; only call from a test this attribute let run.</summary>
    public static InstalledModel Resolve(string kind, string modelId) =>
        ModelCatalog.Open(Environment.GetEnvironmentVariable(ModelCatalog.EnvironmentVariable)!).Resolve(kind, modelId);

    private static string? SkipReason(string modelId)
    {
        var folder = Environment.GetEnvironmentVariable(ModelCatalog.EnvironmentVariable);
        if (string.IsNullOrWhiteSpace(folder))
        {
            return $"needs real weights: set {ModelCatalog.EnvironmentVariable} to a models folder holding {modelId} ({ModelCatalog.FetchScript} {modelId})";
        }

        if (!Directory.Exists(folder))
        {
            return $"{ModelCatalog.EnvironmentVariable} names '{folder}', which does not exist";
        }

        return ModelCatalog.Open(folder).IsInstalled(modelId)
            ? null
            : $"{modelId} is not installed in '{folder}' ({ModelCatalog.FetchScript} {modelId} --dir {folder})";
    }
}
