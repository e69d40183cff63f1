namespace Muesli.Inference.Tests.Tdt;

/// <summary>The shared files beside the repository (test audio, the Silero model), found above the test's output folder.</summary>
internal static class SharedFiles
{
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
