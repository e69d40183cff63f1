namespace Muesli.Inference.Models;

/// <summary>Raised with a message that names the folder, the model, each missing or wrong file and how to fix it.</summary>
public sealed class ModelCatalogException(string message) : Exception(message);

/// <summary>One file of a model as the manifest lists it.</summary>
public sealed record ModelFile(string Role, string Name, string? Url, long? Size, string? Sha256);

/// <summary>One model of the manifest: <c>kind</c> is asr | segmentation | embedding | diarization | vad.</summary>
public sealed record ModelEntry(
    string Id,
    string Kind,
    string Family,
    string Directory,
    string? License,
    string? Source,
    IReadOnlyList<string> Aliases,
    IReadOnlyList<ModelFile> Files);

/// <summary>A model whose files are all present: absolute paths by role.</summary>
public sealed record InstalledModel(ModelEntry Entry, string Directory, IReadOnlyDictionary<string, string> Paths)
{
    public string PathOf(string role) => Paths.TryGetValue(role, out var p)
        ? p
        : throw new ModelCatalogException($"model '{Entry.Id}' has no file with role '{role}'");
}

/// <summary>
/// The models folder (<c>--models DIR</c> or <c>MUESLI_MODELS</c>). Its manifest is <c>DIR/models.json</c> when
/// present, else the manifest shipped with the program (<c>models/models.json</c>). A model is installed when
/// every file it lists exists under <c>DIR/{directory}</c> (with the listed size, when one is listed).
/// </summary>
public sealed class ModelCatalog
{
    public const string EnvironmentVariable = "MUESLI_MODELS";
    public const string ManifestName = "models.json";

    /// <summary>Opens <paramref name="directory"/>; throws naming the folder when it does not exist.</summary>
    public static ModelCatalog Open(string directory) => throw new NotImplementedException();

    /// <summary>The folder from <c>--models</c> if given, else <c>MUESLI_MODELS</c>, else a clear error.</summary>
    public static string ResolveDirectory(string? option) => throw new NotImplementedException();

    public string Directory => throw new NotImplementedException();

    public IReadOnlyList<ModelEntry> Entries => throw new NotImplementedException();

    /// <summary>The manifest's default id for a kind (e.g. asr → parakeet-tdt-0.6b-v3-int8), if it names one.</summary>
    public string? DefaultFor(string kind) => throw new NotImplementedException();

    public bool IsInstalled(string idOrAlias) => throw new NotImplementedException();

    /// <summary>
    /// The installed model for <paramref name="idOrAlias"/>; with null, the manifest's default for the kind when
    /// installed, else the first installed model of that kind. Throws naming every missing file (with its expected
    /// size and the fetch command) when the model is incomplete, or listing the known ids when the name is unknown.
    /// </summary>
    public InstalledModel Resolve(string kind, string? idOrAlias) => throw new NotImplementedException();
}
