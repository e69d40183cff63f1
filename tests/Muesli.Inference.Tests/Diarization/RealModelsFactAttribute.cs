using Muesli.Inference.Models;

namespace Muesli.Inference.Tests.Diarization;

/// <summary>
/// A fact that needs real model weights: it runs only when <c>MUESLI_MODELS</c> names a models folder in which every
/// listed model is installed, and is skipped with the reason otherwise. Nothing is ever downloaded.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class RealModelsFactAttribute : FactAttribute
{
    public RealModelsFactAttribute(params string[] modelIds)
    {
        Skip = Missing(modelIds);
    }

    /// <summary>The models folder the real-weights tests read, or null when it is not set.</summary>
    public static string? Folder => Environment.GetEnvironmentVariable(ModelCatalog.EnvironmentVariable) is { Length: > 0 } folder ? folder : null;

    private static string? Missing(string[] modelIds)
    {
        if (Folder is not { } folder)
        {
            return $"needs real model weights: set {ModelCatalog.EnvironmentVariable} to a models folder holding {string.Join(", ", modelIds)} ({ModelCatalog.FetchScript})";
        }

        try
        {
            var catalog = ModelCatalog.Open(folder);
            var absent = modelIds.Where(id => !catalog.IsInstalled(id)).ToList();
            return absent.Count == 0 ? null : $"needs real model weights: {string.Join(", ", absent)} not installed in {folder} ({ModelCatalog.FetchScript})";
        }
        catch (ModelCatalogException e)
        {
            return $"needs real model weights: {e.Message}";
        }
    }
}
