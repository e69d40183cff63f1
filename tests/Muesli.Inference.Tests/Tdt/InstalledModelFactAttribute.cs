using Muesli.Inference.Models;

namespace Muesli.Inference.Tests.Tdt;

/// <summary>
/// A fact that needs a real model: it runs only when <c>MUESLI_MODELS</c> names a models folder holding every file
/// of <paramref name="modelId"/>, and is skipped with the reason otherwise. Nothing is ever downloaded.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class InstalledModelFactAttribute : FactAttribute
{
    public InstalledModelFactAttribute(string modelId)
    {
        var folder = Environment.GetEnvironmentVariable(ModelCatalog.EnvironmentVariable);
        if (string.IsNullOrWhiteSpace(folder))
        {
            Skip = $"needs the real model {modelId}: set {ModelCatalog.EnvironmentVariable} to a models folder ({ModelCatalog.FetchScript} {modelId} fills one)";
        }
        else if (!Directory.Exists(folder))
        {
            Skip = $"needs the real model {modelId}: {ModelCatalog.EnvironmentVariable} names '{folder}', which does not exist";
        }
        else if (!ModelCatalog.Open(folder).IsInstalled(modelId))
        {
            Skip = $"needs the real model {modelId}, whose files are not all in '{folder}' ({ModelCatalog.FetchScript} {modelId} --dir {folder})";
        }
    }
}
