namespace Muesli.Inference.Tests.Support;

/// <summary>The public audio and models shipped in <c>shared/</c> (<c>shared/testdata</c>, <c>shared/models</c>), beside the repository.</summary>
internal static class SharedFiles
{
    /// <summary>Finds <c>shared/{relative}</c> in the nearest folder above the test binaries that has it.</summary>
    public static string PathOf(string relative)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", relative);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException($"shared/{relative} not found above {AppContext.BaseDirectory}");
    }

    public static string SileroModel => PathOf("models/silero_vad.onnx");
}
