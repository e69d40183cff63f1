namespace Muesli.Host.Cli;

/// <summary>Where transcripts go: checked before any work, and written whole or not at all.</summary>
public static class OutputFolder
{
    /// <summary>Why <paramref name="folder"/> cannot take new files (it is created if missing), or null.</summary>
    public static string? Problem(string folder)
    {
        try
        {
            if (File.Exists(folder))
            {
                return $"{folder} is a file, not a folder";
            }

            Directory.CreateDirectory(folder);
            var probe = Path.Combine(folder, $".muesli-write-test-{Guid.NewGuid():N}");
            using (File.Create(probe, 1, FileOptions.DeleteOnClose))
            {
            }

            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"{folder} cannot be written ({e.Message})";
        }
    }

    /// <summary>
    /// Writes every file under a temporary name first, then renames them into place, so a failure leaves no file
    /// half-written and no format without the others. Returns the paths written.
    /// </summary>
    public static IReadOnlyList<string> WriteAll(string folder, string name, IReadOnlyList<(string Format, string Text)> outputs)
    {
        var staged = new List<(string Temporary, string Final)>();
        try
        {
            foreach (var (format, text) in outputs)
            {
                var final = Path.Combine(folder, $"{name}.{format}");
                var temporary = Path.Combine(folder, $".{name}.{format}.{Guid.NewGuid():N}.part");
                staged.Add((temporary, final));
                File.WriteAllText(temporary, text);
            }

            foreach (var (temporary, final) in staged)
            {
                File.Move(temporary, final, overwrite: true);
            }

            return staged.Select(s => s.Final).ToArray();
        }
        finally
        {
            foreach (var (temporary, _) in staged)
            {
                File.Delete(temporary);
            }
        }
    }
}
