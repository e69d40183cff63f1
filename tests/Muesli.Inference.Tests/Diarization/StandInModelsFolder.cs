using Muesli.Inference.Models;
using Muesli.TestWorld;

namespace Muesli.Inference.Tests.Diarization;

/// <summary>The tone world's stand-in models folder, written once per test class and deleted after.</summary>
public sealed class StandInModelsFolder : IDisposable
{
    public StandInModelsFolder()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"muesli-standins-{Guid.NewGuid():N}");
        StandInModels.WriteModelsFolder(Path);
        Catalog = ModelCatalog.Open(Path);
    }

    public string Path { get; }

    public ModelCatalog Catalog { get; }

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
