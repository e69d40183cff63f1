using Muesli.Inference.Tests.ModelBuilding;

namespace Muesli.Inference.Tests.Diarization;

/// <summary>A temporary folder for built models, deleted on dispose.</summary>
internal sealed class DiarizationModelFolder : IDisposable
{
    public DiarizationModelFolder()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"muesli-diarization-{Guid.NewGuid():N}");
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string Write(string name, OnnxGraph graph) => graph.WriteTo(System.IO.Path.Combine(Path, name));

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
