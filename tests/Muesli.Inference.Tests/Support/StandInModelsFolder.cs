using Muesli.Inference.Models;
using Muesli.TestWorld;

namespace Muesli.Inference.Tests.Support;

/// <summary>The tone world's stand-in models folder and its catalog, deleted on dispose (a class fixture, or held by a test world).</summary>
public sealed class StandInModelsFolder : IDisposable
{
    private readonly ModelFolder folder = new();

    public StandInModelsFolder()
    {
        StandInModels.WriteModelsFolder(folder.Path);
        Catalog = ModelCatalog.Open(folder.Path);
    }

    public string Path => folder.Path;

    public ModelCatalog Catalog { get; }

    public void Dispose() => folder.Dispose();
}
