using Muesli.TestWorld;

namespace Muesli.Host.Tests;

/// <summary>A temporary folder, removed afterwards.</summary>
public sealed class TempDir : IDisposable
{
    public TempDir() => Directory.CreateDirectory(Path);

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "muesli-test-" + Guid.NewGuid().ToString("N")[..12]);

    public static implicit operator string(TempDir dir) => dir.Path;

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>The stand-in models folder, written once for all backend tests.</summary>
public static class StandIns
{
    private static readonly Lazy<string> Written = new(() =>
    {
        var dir = Path.Combine(Path.GetTempPath(), "muesli-standins-" + Environment.ProcessId);
        StandInModels.WriteModelsFolder(dir);
        return dir;
    });

    private static readonly Lazy<string> WrittenWithVad = new(() =>
    {
        var dir = Path.Combine(Path.GetTempPath(), "muesli-standins-vad-" + Environment.ProcessId);
        StandInModels.WriteModelsFolder(dir, withVad: true);
        return dir;
    });

    public static string Folder => Written.Value;

    /// <summary>The same folder with the stand-in Silero VAD, its default VAD.</summary>
    public static string FolderWithVad => WrittenWithVad.Value;
}
