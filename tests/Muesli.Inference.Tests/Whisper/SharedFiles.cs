namespace Muesli.Inference.Tests.Whisper;

/// <summary>The shared files beside the repository (<c>shared/testdata</c>, <c>shared/models</c>).</summary>
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
}
