using System.Runtime.InteropServices;
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

/// <summary>
/// The stand-in models with the VAD, each ONNX file padded to its real export's size (about 700 MB): written once for
/// the tests that share it, with the tone world's command line as a person measuring load time would, removed after them.
/// </summary>
public sealed class RealSizeModelsFolder : IDisposable
{
    public RealSizeModelsFolder()
    {
        var said = new StringWriter();
        if (Muesli.TestWorld.Program.Run(["models", "--out", Folder, "--with-vad", "--real-size"], said, said) != 0)
        {
            throw new InvalidOperationException($"the real-size models were not written: {said}");
        }
    }

    public string Folder { get; } = Path.Combine(Path.GetTempPath(), "muesli-real-size-" + Guid.NewGuid().ToString("N")[..12]);

    /// <summary>
    /// A copy of the folder in which <paramref name="standIn"/>'s <paramref name="file"/> holds random bytes of the same
    /// size, listed in the copy's manifest with their SHA-256, so the catalog accepts the file and only opening it fails.
    /// Every other file is a hard link to this folder's (the catalog reads a symbolic link's own size).
    /// </summary>
    public TempDir CopyWithCorrupt(string standIn, string file)
    {
        var copy = new TempDir();
        foreach (var source in Directory.EnumerateFiles(Folder, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(copy, Path.GetRelativePath(Folder, source));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            if (Path.GetFileName(target) != "models.json" && HardLink(source, target) != 0)
            {
                throw new IOException($"could not link {target} to {source} (errno {Marshal.GetLastPInvokeError()})");
            }
        }

        var corrupt = Path.Combine(copy, standIn, file);
        var bytes = new byte[new FileInfo(Path.Combine(Folder, standIn, file)).Length];
        new Random(7).NextBytes(bytes);
        File.Delete(corrupt);
        File.WriteAllBytes(corrupt, bytes);
        var original = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(Path.Combine(Folder, standIn, file))));
        var manifest = File.ReadAllText(Path.Combine(Folder, "models.json"))
            .Replace(original, Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes)), StringComparison.Ordinal);
        File.WriteAllText(Path.Combine(copy, "models.json"), manifest);
        return copy;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    [DllImport("libc", EntryPoint = "link", SetLastError = true)]
    private static extern int HardLink(string existing, string link);
}
