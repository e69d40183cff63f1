using Muesli.Inference.Models;

namespace Muesli.Inference.Tests.Support;

/// <summary>
/// A fact that needs real model weights: it runs only when <c>MUESLI_MODELS</c> names a models folder (laid out by
/// models/fetch.sh) in which every listed model is installed, and is skipped with the reason otherwise. Nothing is
/// ever downloaded.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class RealModelFactAttribute : FactAttribute
{
    public RealModelFactAttribute(params string[] modelIds)
    {
        Skip = RealModels.WhyMissing(modelIds, Environment.GetEnvironmentVariable(ModelCatalog.EnvironmentVariable));
    }
}

/// <summary>The real models a <see cref="RealModelFactAttribute"/> test reads.</summary>
internal static class RealModels
{
    /// <summary>Why <paramref name="modelIds"/> cannot be used from <paramref name="folder"/>, or null when all are installed.</summary>
    public static string? WhyMissing(IReadOnlyList<string> modelIds, string? folder)
    {
        if (string.IsNullOrWhiteSpace(folder))
        {
            return $"needs {Named(modelIds)}: set {ModelCatalog.EnvironmentVariable} to a models folder ({ModelCatalog.FetchScript} fills one)";
        }

        if (!Directory.Exists(folder))
        {
            return $"needs {Named(modelIds)}: {ModelCatalog.EnvironmentVariable} names '{folder}', which does not exist";
        }

        try
        {
            var catalog = ModelCatalog.Open(folder);
            var absent = modelIds.Where(id => !catalog.IsInstalled(id)).ToList();
            return absent.Count == 0
                ? null
                : $"needs {Named(absent)}, which {(absent.Count == 1 ? "is" : "are")} not installed in '{folder}' ({ModelCatalog.FetchScript} downloads it)";
        }
        catch (ModelCatalogException e)
        {
            return $"needs {Named(modelIds)}: {e.Message}";
        }
    }

    /// <summary>An installed model; only call from a test the attribute let run.</summary>
    public static InstalledModel Resolve(string kind, string modelId)
    {
        var folder = Environment.GetEnvironmentVariable(ModelCatalog.EnvironmentVariable)
            ?? throw new InvalidOperationException($"{ModelCatalog.EnvironmentVariable} is not set");
        return ModelCatalog.Open(folder).Resolve(kind, modelId);
    }

    private static string Named(IReadOnlyList<string> modelIds)
        => modelIds.Count == 1 ? $"the real model {modelIds[0]}" : $"the real models {string.Join(", ", modelIds)}";
}
