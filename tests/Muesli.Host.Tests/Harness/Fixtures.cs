using System.Runtime.InteropServices;
using Muesli.TestWorld;

namespace Muesli.Host.Tests;

/// <summary>A temporary folder, removed afterwards.</summary>
public sealed class TempDir : IDisposable
{
    public TempDir() => Directory.CreateDirectory(Path);

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "muesli-test-" + Guid.NewGuid().ToString("N")[..12]);

    public static implicit operator string(TempDir dir) => dir.Path;

    public void Dispose() => Remove(Path);

    /// <summary>
    /// Removes a folder that a process just killed may still be writing into (a file it had open, a folder it was
    /// about to make): a few tries, a moment apart, before it is left.
    /// </summary>
    public static void Remove(string path)
    {
        for (var attempt = 0; attempt < 10 && Directory.Exists(path); attempt++)
        {
            try
            {
                Directory.Delete(path, recursive: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Thread.Sleep(100);
            }
        }
    }
}

/// <summary>
/// The stand-in models folder, written once for all backend tests, in a folder named after this test process and
/// removed when it exits. A folder named after a process that no longer runs (one that was killed) is removed when
/// the next test run writes its own.
/// </summary>
public static class StandIns
{
    private const string Prefix = "muesli-standins-";

    private static readonly Lazy<string> Written = new(() => Write(Prefix + Environment.ProcessId, withVad: false));

    private static readonly Lazy<string> WrittenWithVad = new(() => Write(Prefix + "vad-" + Environment.ProcessId, withVad: true));

    public static string Folder => Written.Value;

    /// <summary>The same folder with the stand-in Silero VAD, its default VAD.</summary>
    public static string FolderWithVad => WrittenWithVad.Value;

    private static string Write(string name, bool withVad)
    {
        RemoveOrphans();
        var dir = Path.Combine(Path.GetTempPath(), name);
        StandInModels.WriteModelsFolder(dir, withVad);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => TempDir.Remove(dir);
        return dir;
    }

    private static void RemoveOrphans()
    {
        foreach (var dir in Directory.EnumerateDirectories(Path.GetTempPath(), Prefix + "*"))
        {
            var pid = Path.GetFileName(dir)[Prefix.Length..].Replace("vad-", "", StringComparison.Ordinal);
            if (int.TryParse(pid, out var id) && id != Environment.ProcessId && !Running(id))
            {
                TempDir.Remove(dir);
            }
        }
    }

    private static bool Running(int pid) => Directory.Exists($"/proc/{pid}");
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

    public void Dispose() => TempDir.Remove(Folder);

    [DllImport("libc", EntryPoint = "link", SetLastError = true)]
    private static extern int HardLink(string existing, string link);
}
