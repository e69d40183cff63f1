using Muesli.Inference.Tests.ModelBuilding;

namespace Muesli.Inference.Tests.Asr;

/// <summary>A temporary model folder, deleted on dispose.</summary>
internal sealed class ModelFolder : IDisposable
{
    public ModelFolder()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"muesli-ctc-{Guid.NewGuid():N}");
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string ModelPath => System.IO.Path.Combine(Path, "model.onnx");

    public string TokensPath => System.IO.Path.Combine(Path, "tokens.txt");

    public ModelFolder With(OnnxGraph graph, IEnumerable<string>? tokens = null)
    {
        graph.WriteTo(ModelPath);
        File.WriteAllLines(TokensPath, tokens ?? ScriptedCtcModel.Tokens);
        return this;
    }

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
