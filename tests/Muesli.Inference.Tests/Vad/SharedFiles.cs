namespace Muesli.Inference.Tests.Vad;

/// <summary>The public audio and models shipped in <c>shared/</c>, the sibling of the repository root.</summary>
internal static class SharedFiles
{
    /// <summary>Finds <c>shared/{relative}</c> beside or above the test's output folder.</summary>
    public static string Path(string relative)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = System.IO.Path.Combine(dir.FullName, "shared", relative);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException($"shared/{relative} not found above {AppContext.BaseDirectory}");
    }

    public static string SileroModel => Path("models/silero_vad.onnx");
}
