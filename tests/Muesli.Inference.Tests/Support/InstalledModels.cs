using Muesli.Inference.Models;

namespace Muesli.Inference.Tests.Support;

/// <summary>Installed models made straight from files already on disk, as the catalog would describe them, without a manifest.</summary>
internal static class InstalledModels
{
    /// <param name="files">Each role's file; the first one's folder becomes the model's directory.</param>
    public static InstalledModel FromFiles(string id, string kind, string family, params (string Role, string Path)[] files)
    {
        var entry = new ModelEntry(
            id,
            kind,
            family,
            id,
            License: null,
            Source: null,
            Aliases: [],
            Files: [.. files.Select(f => new ModelFile(f.Role, System.IO.Path.GetFileName(f.Path), null, null, null))]);
        return new InstalledModel(entry, System.IO.Path.GetDirectoryName(files[0].Path)!, files.ToDictionary(f => f.Role, f => f.Path));
    }
}
