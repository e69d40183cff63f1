using System.Security.Cryptography;
using System.Text;

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
    public const string FetchScript = "models/fetch.sh";

    private readonly ModelManifest manifest;

    private ModelCatalog(string directory, ModelManifest manifest)
    {
        Directory = directory;
        this.manifest = manifest;
    }

    /// <summary>Opens <paramref name="directory"/>; throws naming the folder when it does not exist.</summary>
    public static ModelCatalog Open(string directory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        var full = Path.GetFullPath(directory);
        if (!System.IO.Directory.Exists(full))
        {
            throw new ModelCatalogException(
                $"models folder '{full}' does not exist: pass --models DIR or set {EnvironmentVariable} "
                + $"({FetchScript} defaults --dir {QuoteForShell(full)} downloads the default models there)");
        }

        var manifestPath = Path.Combine(full, ManifestName);
        var manifest = File.Exists(manifestPath) ? ModelManifest.Load(manifestPath) : ModelManifest.Shipped();
        return new ModelCatalog(full, manifest);
    }

    /// <summary>The folder from <c>--models</c> if given, else <c>MUESLI_MODELS</c>, else a clear error.</summary>
    public static string ResolveDirectory(string? option)
    {
        var chosen = string.IsNullOrWhiteSpace(option)
            ? Environment.GetEnvironmentVariable(EnvironmentVariable)
            : option;
        if (string.IsNullOrWhiteSpace(chosen))
        {
            throw new ModelCatalogException(
                $"no models folder: pass --models DIR or set {EnvironmentVariable} ({FetchScript} downloads them)");
        }

        return Path.GetFullPath(chosen);
    }

    public string Directory { get; }

    public IReadOnlyList<ModelEntry> Entries => manifest.Models;

    /// <summary>Where the manifest in use came from: <c>DIR/models.json</c> or the shipped one.</summary>
    public string ManifestOrigin => manifest.Origin;

    /// <summary>The manifest's default id for a kind (e.g. asr → parakeet-tdt-0.6b-v3-int8), if it names one.</summary>
    public string? DefaultFor(string kind) => manifest.Defaults.GetValueOrDefault(kind);

    /// <summary>The entry named <paramref name="idOrAlias"/> (id or alias, ignoring case), or null.</summary>
    public ModelEntry? Find(string idOrAlias) => manifest.Find(idOrAlias);

    public bool IsInstalled(string idOrAlias) => Find(idOrAlias) is { } entry && Inspect(entry).IsComplete;

    /// <summary>
    /// The installed model for <paramref name="idOrAlias"/>; with null, the manifest's default for the kind when
    /// installed, else the first installed model of that kind. Throws naming every missing file (with its expected
    /// size and the fetch command) when the model is incomplete, or listing the known ids when the name is unknown.
    /// </summary>
    public InstalledModel Resolve(string kind, string? idOrAlias)
    {
        ArgumentNullException.ThrowIfNull(kind);
        if (!ModelKinds.IsKnown(kind))
        {
            throw new ModelCatalogException($"unknown model kind '{kind}' (kinds: {string.Join(", ", ModelKinds.All)})");
        }

        kind = kind.ToLowerInvariant();
        if (string.IsNullOrWhiteSpace(idOrAlias))
        {
            return ResolveDefault(kind);
        }

        var entry = Find(idOrAlias)
            ?? throw new ModelCatalogException($"unknown {kind} model '{idOrAlias}' in {ManifestOrigin}; {KnownModels(kind)}");
        if (entry.Kind != kind)
        {
            throw new ModelCatalogException(
                $"model '{entry.Id}' is of kind {entry.Kind}, not {kind}; {KnownModels(kind)}");
        }

        var inspection = Inspect(entry);
        return inspection.IsComplete ? inspection.ToInstalled() : throw new ModelCatalogException(Incomplete(inspection));
    }

    /// <summary>
    /// Hashes each file of the model that lists a sha256 and compares it; a missing file or one of the wrong size is
    /// reported without hashing. Slow on large models: meant for an operator's check, not for start-up.
    /// </summary>
    public IReadOnlyList<FileVerification> Verify(string idOrAlias)
    {
        var entry = Find(idOrAlias)
            ?? throw new ModelCatalogException(
                $"unknown model '{idOrAlias}' in {ManifestOrigin}; known models: {string.Join(", ", Entries.Select(e => e.Id))}");
        return Inspect(entry).Files.Select(VerifyFile).ToList();
    }

    private static FileVerification VerifyFile(InspectedFile file)
    {
        if (file.ActualSize is null)
        {
            return new FileVerification(file.File, file.Path, FileVerificationOutcome.Missing, null, null);
        }

        if (!file.HasListedSize)
        {
            return new FileVerification(file.File, file.Path, FileVerificationOutcome.WrongSize, file.ActualSize, null);
        }

        if (file.File.Sha256 is null)
        {
            return new FileVerification(file.File, file.Path, FileVerificationOutcome.NoChecksumListed, file.ActualSize, null);
        }

        using var stream = File.OpenRead(file.Path);
        var actual = Convert.ToHexStringLower(SHA256.HashData(stream));
        var outcome = actual == file.File.Sha256
            ? FileVerificationOutcome.Verified
            : FileVerificationOutcome.ChecksumMismatch;
        return new FileVerification(file.File, file.Path, outcome, file.ActualSize, actual);
    }

    private InstalledModel ResolveDefault(string kind)
    {
        var candidates = Entries.Where(e => e.Kind == kind).ToList();
        if (candidates.Count == 0)
        {
            throw new ModelCatalogException($"{ManifestOrigin} lists no {kind} model");
        }

        var defaultEntry = DefaultFor(kind) is { } id ? Find(id) : null;
        var inspections = candidates.Select(Inspect).ToList();
        var chosen = inspections.FirstOrDefault(i => i.Entry == defaultEntry && i.IsComplete)
            ?? inspections.FirstOrDefault(i => i.IsComplete);
        if (chosen is not null)
        {
            return chosen.ToInstalled();
        }

        var suggested = inspections.First(i => defaultEntry is null || i.Entry == defaultEntry);
        throw new ModelCatalogException(
            $"no {kind} model is installed in '{Directory}' ({KnownModels(kind)}).{Environment.NewLine}"
            + Incomplete(suggested));
    }

    private string KnownModels(string kind)
    {
        var defaultId = DefaultFor(kind);
        var known = Entries.Where(e => e.Kind == kind).Select(e =>
        {
            var notes = new List<string>();
            if (e.Id == defaultId)
            {
                notes.Add("default");
            }

            if (e.Aliases.Count > 0)
            {
                notes.Add("aliases: " + string.Join(", ", e.Aliases));
            }

            return notes.Count == 0 ? e.Id : $"{e.Id} ({string.Join("; ", notes)})";
        }).ToList();
        return known.Count == 0
            ? $"{ManifestOrigin} lists no {kind} model"
            : $"known {kind} models: {string.Join(", ", known)}";
    }

    private string Incomplete(Inspection inspection)
    {
        var text = new StringBuilder();
        text.Append($"model '{inspection.Entry.Id}' is incomplete in '{inspection.Directory}'");
        text.Append(System.IO.Directory.Exists(inspection.Directory) ? ":" : " (the folder does not exist):");
        foreach (var file in inspection.Files.Where(f => f.ActualSize is null))
        {
            var size = file.File.Size is { } expected ? $"{expected} bytes" : "size not listed";
            text.Append($"{Environment.NewLine}  missing {file.File.Name} ({size})");
        }

        foreach (var file in inspection.Files.Where(f => f.ActualSize is not null && !f.HasListedSize))
        {
            text.Append(
                $"{Environment.NewLine}  wrong size {file.File.Name}: {file.ActualSize} bytes, expected {file.File.Size}");
        }

        text.Append($"{Environment.NewLine}fetch it with: {FetchCommand(inspection.Entry.Id)}");
        return text.ToString();
    }

    private string FetchCommand(string id) => $"{FetchScript} {id} --dir {QuoteForShell(Directory)}";

    private static string QuoteForShell(string path) =>
        path.All(c => char.IsAsciiLetterOrDigit(c) || "/._-+:@,=".Contains(c))
            ? path
            : "'" + path.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    private Inspection Inspect(ModelEntry entry)
    {
        var directory = Path.Combine(Directory, entry.Directory);
        var files = entry.Files.Select(file =>
        {
            var path = Path.Combine(directory, file.Name);
            var info = new FileInfo(path);
            return new InspectedFile(file, path, info.Exists ? info.Length : null);
        }).ToList();
        return new Inspection(entry, directory, files);
    }

    private sealed record InspectedFile(ModelFile File, string Path, long? ActualSize)
    {
        public bool HasListedSize => File.Size is null || File.Size == ActualSize;

        public bool IsPresent => ActualSize is not null && HasListedSize;
    }

    private sealed record Inspection(ModelEntry Entry, string Directory, IReadOnlyList<InspectedFile> Files)
    {
        public bool IsComplete => Files.All(f => f.IsPresent);

        public InstalledModel ToInstalled() =>
            new(Entry, Directory, Files.ToDictionary(f => f.File.Role, f => f.Path, StringComparer.Ordinal));
    }
}
