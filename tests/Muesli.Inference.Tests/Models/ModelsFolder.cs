namespace Muesli.Inference.Tests.Models;

/// <summary>A temporary models folder with hand-written manifests and files of chosen sizes.</summary>
internal sealed class ModelsFolder : IDisposable
{
    public ModelsFolder(string? name = null)
    {
        Parent = Path.Combine(Path.GetTempPath(), "muesli-models-" + Guid.NewGuid().ToString("N"));
        Root = name is null ? Parent : Path.Combine(Parent, name);
        Directory.CreateDirectory(Root);
    }

    public string Root { get; }

    private string Parent { get; }

    public string PathOf(string relative) => Path.Combine(Root, relative);

    public void WriteManifest(string json) => File.WriteAllText(PathOf("models.json"), json);

    /// <summary>Writes <paramref name="size"/> zero bytes at <paramref name="relative"/>.</summary>
    public void Install(string relative, long size) => Write(relative, new byte[size]);

    public void Write(string relative, byte[] content)
    {
        var path = PathOf(relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, content);
    }

    public void Dispose() => Directory.Delete(Parent, recursive: true);
}
