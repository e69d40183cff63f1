using System.Text.Json;

namespace Muesli.Inference.Models;

/// <summary>
/// A parsed and validated <c>models.json</c>: the models it lists and the default id per kind.
/// <see cref="Origin"/> names where it came from, for error messages.
/// </summary>
public sealed class ModelManifest
{
    public const int SchemaVersion = 1;

    /// <summary>Logical name of <c>models/models.json</c> embedded in this assembly.</summary>
    public const string ShippedResourceName = "Muesli.Inference.Models.models.json";

    public const string ShippedOrigin = "the manifest shipped with Muesli (models/models.json)";

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNameCaseInsensitive = true,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    private static readonly Lazy<ModelManifest> ShippedManifest = new(LoadShipped);

    private ModelManifest(string origin, IReadOnlyDictionary<string, string> defaults, IReadOnlyList<ModelEntry> models)
    {
        Origin = origin;
        Defaults = defaults;
        Models = models;
    }

    public string Origin { get; }

    /// <summary>Default model id by kind (keys compare case-insensitively).</summary>
    public IReadOnlyDictionary<string, string> Defaults { get; }

    public IReadOnlyList<ModelEntry> Models { get; }

    /// <summary>The manifest embedded in the program, parsed once.</summary>
    public static ModelManifest Shipped() => ShippedManifest.Value;

    public static ModelManifest Load(string path)
    {
        string json;
        try
        {
            json = File.ReadAllText(path);
        }
        catch (IOException e)
        {
            throw new ModelCatalogException($"cannot read manifest '{path}': {e.Message}");
        }
        catch (UnauthorizedAccessException e)
        {
            throw new ModelCatalogException($"cannot read manifest '{path}': {e.Message}");
        }

        return Parse(json, $"'{path}'");
    }

    /// <summary>Parses and validates <paramref name="json"/>; every problem found is named in one exception.</summary>
    public static ModelManifest Parse(string json, string origin)
    {
        ManifestJson? root;
        try
        {
            root = JsonSerializer.Deserialize<ManifestJson>(json, JsonOptions);
        }
        catch (JsonException e)
        {
            throw new ModelCatalogException($"manifest {origin} is not valid: {e.Message}");
        }

        if (root is null)
        {
            throw new ModelCatalogException($"manifest {origin} is empty");
        }

        var problems = new List<string>();
        if (root.Schema is { } schema && schema != SchemaVersion)
        {
            problems.Add($"schema {schema} is not supported (this program reads schema {SchemaVersion})");
        }

        var models = new List<ModelEntry>();
        if (root.Models is null)
        {
            problems.Add("missing \"models\"");
        }
        else
        {
            for (var i = 0; i < root.Models.Count; i++)
            {
                var entry = ReadEntry(root.Models[i], i, problems);
                if (entry is not null)
                {
                    models.Add(entry);
                }
            }
        }

        CheckNamesAreUnique(models, problems);
        var defaults = ReadDefaults(root.Defaults, models, problems);

        if (problems.Count > 0)
        {
            throw new ModelCatalogException(
                $"manifest {origin} is invalid:{Environment.NewLine}  " + string.Join(Environment.NewLine + "  ", problems));
        }

        return new ModelManifest(origin, defaults, models);
    }

    /// <summary>The entry whose id or one of whose aliases is <paramref name="idOrAlias"/>, ignoring case.</summary>
    public ModelEntry? Find(string idOrAlias) =>
        Models.FirstOrDefault(m => m.Id.Equals(idOrAlias, StringComparison.OrdinalIgnoreCase))
        ?? Models.FirstOrDefault(m => m.Aliases.Contains(idOrAlias, StringComparer.OrdinalIgnoreCase));

    private static ModelManifest LoadShipped()
    {
        using var stream = typeof(ModelManifest).Assembly.GetManifestResourceStream(ShippedResourceName)
            ?? throw new ModelCatalogException($"{ShippedOrigin} is missing from the program (resource {ShippedResourceName})");
        using var reader = new StreamReader(stream);
        return Parse(reader.ReadToEnd(), ShippedOrigin);
    }

    private static ModelEntry? ReadEntry(EntryJson? json, int index, List<string> problems)
    {
        if (json is null)
        {
            problems.Add($"models[{index}] is null");
            return null;
        }

        var where = string.IsNullOrWhiteSpace(json.Id) ? $"models[{index}]" : $"models[{index}] ('{json.Id}')";
        var before = problems.Count;
        if (string.IsNullOrWhiteSpace(json.Id))
        {
            problems.Add($"{where}: missing id");
        }

        if (string.IsNullOrWhiteSpace(json.Kind))
        {
            problems.Add($"{where}: missing kind");
        }
        else if (!ModelKinds.IsKnown(json.Kind))
        {
            problems.Add($"{where}: unknown kind '{json.Kind}' (kinds: {string.Join(", ", ModelKinds.All)})");
        }

        ModelFamily? family = null;
        if (string.IsNullOrWhiteSpace(json.Family))
        {
            problems.Add($"{where}: missing family");
        }
        else
        {
            family = ModelFamilies.Find(json.Family);
            if (family is null)
            {
                problems.Add(
                    $"{where}: unknown family '{json.Family}' (families: {string.Join(", ", ModelFamilies.All.Select(f => f.Name))})");
            }
            else if (json.Kind is not null && ModelKinds.IsKnown(json.Kind)
                && !family.Kind.Equals(json.Kind, StringComparison.OrdinalIgnoreCase))
            {
                problems.Add($"{where}: family '{family.Name}' makes {family.Kind} models, not {json.Kind}");
            }
        }

        if (string.IsNullOrWhiteSpace(json.Directory))
        {
            problems.Add($"{where}: missing directory");
        }
        else if (!IsRelativeInside(json.Directory))
        {
            problems.Add($"{where}: directory '{json.Directory}' must be a relative path inside the models folder");
        }

        var files = ReadFiles(json.Files, family, where, problems);
        if (problems.Count > before)
        {
            return null;
        }

        return new ModelEntry(
            json.Id!,
            json.Kind!.ToLowerInvariant(),
            family!.Name,
            json.Directory!,
            json.License,
            json.Source,
            json.Aliases?.Where(a => !string.IsNullOrWhiteSpace(a)).Select(a => a!).ToArray() ?? [],
            files);
    }

    private static List<ModelFile> ReadFiles(List<FileJson?>? json, ModelFamily? family, string where, List<string> problems)
    {
        var files = new List<ModelFile>();
        if (json is null || json.Count == 0)
        {
            problems.Add($"{where}: missing files");
            return files;
        }

        for (var j = 0; j < json.Count; j++)
        {
            var file = json[j];
            var at = $"{where}: files[{j}]";
            if (file is null)
            {
                problems.Add($"{at} is null");
                continue;
            }

            var ok = true;
            if (string.IsNullOrWhiteSpace(file.Role))
            {
                problems.Add($"{at}: missing role");
                ok = false;
            }
            else if (family is not null && !family.Roles.Contains(file.Role))
            {
                problems.Add($"{at}: unknown role '{file.Role}' for family '{family.Name}' (roles: {string.Join(", ", family.Roles)})");
                ok = false;
            }
            else if (files.Any(f => f.Role == file.Role))
            {
                problems.Add($"{at}: role '{file.Role}' is listed twice");
                ok = false;
            }

            if (string.IsNullOrWhiteSpace(file.Name))
            {
                problems.Add($"{at}: missing name");
                ok = false;
            }
            else if (!IsRelativeInside(file.Name))
            {
                problems.Add($"{at}: name '{file.Name}' must be a relative path inside the model's directory");
                ok = false;
            }

            if (file.Size is < 0)
            {
                problems.Add($"{at}: size {file.Size} is negative");
                ok = false;
            }

            if (file.Sha256 is not null && !IsSha256(file.Sha256))
            {
                problems.Add($"{at}: sha256 '{file.Sha256}' is not 64 hexadecimal digits");
                ok = false;
            }

            if (ok)
            {
                files.Add(new ModelFile(file.Role!, file.Name!, file.Url, file.Size, file.Sha256?.ToLowerInvariant()));
            }
        }

        if (family is not null)
        {
            var missing = family.Roles.Where(r => json.All(f => f?.Role != r)).ToList();
            if (missing.Count > 0)
            {
                problems.Add($"{where}: family '{family.Name}' needs a file for role(s) {string.Join(", ", missing)}");
            }
        }

        return files;
    }

    private static void CheckNamesAreUnique(List<ModelEntry> models, List<string> problems)
    {
        var owners = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var model in models)
        {
            foreach (var name in model.Aliases.Prepend(model.Id).Distinct(StringComparer.OrdinalIgnoreCase))
            {
                if (owners.TryGetValue(name, out var owner))
                {
                    problems.Add(owner.Equals(model.Id, StringComparison.OrdinalIgnoreCase)
                        ? $"duplicate id '{model.Id}'"
                        : $"name '{name}' is used by both '{owner}' and '{model.Id}'");
                }
                else
                {
                    owners[name] = model.Id;
                }
            }
        }
    }

    private static Dictionary<string, string> ReadDefaults(
        Dictionary<string, string?>? json, List<ModelEntry> models, List<string> problems)
    {
        var defaults = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (kind, id) in json ?? [])
        {
            if (!ModelKinds.IsKnown(kind))
            {
                problems.Add($"defaults: unknown kind '{kind}' (kinds: {string.Join(", ", ModelKinds.All)})");
                continue;
            }

            if (string.IsNullOrWhiteSpace(id))
            {
                continue;
            }

            var entry = models.FirstOrDefault(m => m.Id.Equals(id, StringComparison.OrdinalIgnoreCase));
            if (entry is null)
            {
                problems.Add($"defaults: {kind} names '{id}', which is not a model id of this manifest");
            }
            else if (!entry.Kind.Equals(kind, StringComparison.OrdinalIgnoreCase))
            {
                problems.Add($"defaults: {kind} names '{id}', which is a {entry.Kind} model");
            }
            else
            {
                defaults[kind] = entry.Id;
            }
        }

        return defaults;
    }

    private static bool IsRelativeInside(string path) =>
        !Path.IsPathRooted(path)
        && !path.Split('/', '\\').Any(segment => segment is ".." or "." or "");

    private static bool IsSha256(string value) =>
        value.Length == 64 && value.All(c => char.IsAsciiHexDigit(c));

    private sealed class ManifestJson
    {
        public int? Schema { get; set; }

        public Dictionary<string, string?>? Defaults { get; set; }

        public List<EntryJson?>? Models { get; set; }
    }

    private sealed class EntryJson
    {
        public string? Id { get; set; }

        public List<string?>? Aliases { get; set; }

        public string? Kind { get; set; }

        public string? Family { get; set; }

        public string? Directory { get; set; }

        public string? License { get; set; }

        public string? Source { get; set; }

        public List<FileJson?>? Files { get; set; }
    }

    private sealed class FileJson
    {
        public string? Role { get; set; }

        public string? Name { get; set; }

        public string? Url { get; set; }

        public long? Size { get; set; }

        public string? Sha256 { get; set; }
    }
}
