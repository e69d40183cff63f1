using Muesli.Inference.Tests.ModelBuilding;

namespace Muesli.Inference.Tests.Support;

/// <summary>
/// A temporary folder for built models and their files, deleted on dispose. The named paths are the file names the
/// sherpa-onnx exports use; a models folder for the catalog holds a manifest and one subfolder per model.
/// </summary>
internal sealed class ModelFolder : IDisposable
{
    private readonly string created;

    /// <param name="name">A subfolder to use as <see cref="Path"/>, for a folder name the tests choose.</param>
    public ModelFolder(string? name = null)
    {
        created = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"muesli-models-{Guid.NewGuid():N}");
        Path = name is null ? created : System.IO.Path.Combine(created, name);
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string ModelPath => PathOf("model.onnx");

    public string EncoderPath => PathOf("encoder.onnx");

    public string DecoderPath => PathOf("decoder.onnx");

    public string JoinerPath => PathOf("joiner.onnx");

    public string TokensPath => PathOf("tokens.txt");

    public string PathOf(string relative) => System.IO.Path.Combine(Path, relative);

    /// <summary>Writes a one-file model as <c>model.onnx</c>, and <c>tokens.txt</c> when <paramref name="tokens"/> are given.</summary>
    public ModelFolder With(OnnxGraph model, IEnumerable<string>? tokens = null)
    {
        model.WriteTo(ModelPath);
        if (tokens is not null)
        {
            File.WriteAllLines(TokensPath, tokens);
        }

        return this;
    }

    /// <summary>Writes <paramref name="graph"/> at <paramref name="relative"/> and returns its path.</summary>
    public string Write(string relative, OnnxGraph graph) => graph.WriteTo(PathOf(relative));

    public void Write(string relative, byte[] content)
    {
        var path = PathOf(relative);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, content);
    }

    /// <summary>Writes <paramref name="size"/> zero bytes at <paramref name="relative"/>.</summary>
    public void Install(string relative, long size) => Write(relative, new byte[size]);

    public void WriteManifest(string json) => File.WriteAllText(PathOf("models.json"), json);

    public void Dispose() => Directory.Delete(created, recursive: true);
}
