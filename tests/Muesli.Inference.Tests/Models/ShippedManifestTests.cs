using System.Text.Json;
using Muesli.Inference.Models;
using Muesli.Inference.Tests.Support;
using Xunit;

namespace Muesli.Inference.Tests.Models;

/// <summary>The manifest embedded in Muesli.Inference, read here with plain JSON so the checks do not trust the parser.</summary>
public sealed class ShippedManifestTests
{
    private const string ResourceName = "Muesli.Inference.Models.models.json";

    private static readonly Dictionary<string, (string Kind, string[] Roles)> Families = new()
    {
        ["nemo-ctc"] = ("asr", ["model", "tokens"]),
        ["nemo-tdt"] = ("asr", ["encoder", "decoder", "joiner", "tokens"]),
        ["whisper"] = ("asr", ["encoder", "decoder", "tokens"]),
        ["pyannote-segmentation"] = ("segmentation", ["model"]),
        ["wespeaker"] = ("embedding", ["model"]),
        ["campplus"] = ("embedding", ["model"]),
        ["sortformer"] = ("diarization", ["model"]),
        ["silero-vad"] = ("vad", ["model"]),
    };

    private static JsonElement ReadEmbedded()
    {
        using var stream = typeof(ModelCatalog).Assembly.GetManifestResourceStream(ResourceName);
        Assert.NotNull(stream);
        using var document = JsonDocument.Parse(stream);
        return document.RootElement.Clone();
    }

    private static IEnumerable<JsonElement> Models() => ReadEmbedded().GetProperty("models").EnumerateArray();

    [Fact]
    public void The_shipped_manifest_parses_and_lists_every_embedded_entry()
    {
        var manifest = ModelManifest.Shipped();

        Assert.Equal(ModelManifest.ShippedOrigin, manifest.Origin);
        Assert.Equal(Models().Select(m => m.GetProperty("id").GetString()), manifest.Models.Select(m => m.Id));
    }

    [Fact]
    public void Every_entry_has_the_roles_of_its_family_and_the_kind_it_serves()
    {
        foreach (var model in Models())
        {
            var family = Families[model.GetProperty("family").GetString()!];
            var roles = model.GetProperty("files").EnumerateArray().Select(f => f.GetProperty("role").GetString()).Order();

            Assert.Equal(family.Kind, model.GetProperty("kind").GetString());
            Assert.Equal(family.Roles.Order(), roles);
            Assert.False(string.IsNullOrWhiteSpace(model.GetProperty("directory").GetString()));
            Assert.False(string.IsNullOrWhiteSpace(model.GetProperty("license").GetString()));
            Assert.StartsWith("https://", model.GetProperty("source").GetString());
        }
    }

    [Fact]
    public void Every_file_can_be_fetched_and_lists_only_well_formed_facts()
    {
        foreach (var file in Models().SelectMany(m => m.GetProperty("files").EnumerateArray()))
        {
            Assert.StartsWith("https://", file.GetProperty("url").GetString());
            Assert.EndsWith("/" + file.GetProperty("name").GetString(), file.GetProperty("url").GetString());
            var size = file.GetProperty("size");
            Assert.True(size.ValueKind == JsonValueKind.Null || size.GetInt64() > 0);
            var sha = file.GetProperty("sha256");
            Assert.True(sha.ValueKind == JsonValueKind.Null || sha.GetString()!.All(Uri.IsHexDigit) && sha.GetString()!.Length == 64);
        }
    }

    [Fact]
    public void Ids_and_aliases_are_unique_ignoring_case()
    {
        var names = Models().SelectMany(m =>
            m.TryGetProperty("aliases", out var aliases)
                ? aliases.EnumerateArray().Select(a => a.GetString()!).Prepend(m.GetProperty("id").GetString()!)
                : [m.GetProperty("id").GetString()!]).ToList();

        Assert.Equal(names.Count, names.Distinct(StringComparer.OrdinalIgnoreCase).Count());
    }

    [Fact]
    public void Defaults_name_existing_models_of_their_kind()
    {
        var kinds = Models().ToDictionary(m => m.GetProperty("id").GetString()!, m => m.GetProperty("kind").GetString());
        var defaults = ReadEmbedded().GetProperty("defaults").EnumerateObject().ToList();

        Assert.All(defaults, d => Assert.Equal(d.Name, kinds[d.Value.GetString()!]));
        Assert.Equal("parakeet-tdt-0.6b-v3-int8", defaults.Single(d => d.Name == "asr").Value.GetString());
        Assert.Equal(["asr", "segmentation", "embedding", "vad"], defaults.Select(d => d.Name).Intersect(["asr", "segmentation", "embedding", "vad"]));
    }

    [Theory]
    [InlineData("parakeet", "parakeet-tdt-0.6b-v3-int8")]
    [InlineData("parakeet-tdt-0.6b-v3", "parakeet-tdt-0.6b-v3-int8")]
    [InlineData("whisper-tiny.en", "whisper-tiny.en-int8")]
    [InlineData("silero", "silero-vad-v5")]
    [InlineData("pyannote", "pyannote-segmentation-3.0")]
    [InlineData("pyannote-int8", "pyannote-segmentation-3.0-int8")]
    public void Common_names_resolve_to_the_shipped_models(string alias, string id)
    {
        Assert.Equal(id, ModelManifest.Shipped().Find(alias)?.Id);
    }

    [Fact]
    public void The_shipped_silero_model_installs_and_verifies_against_the_shipped_manifest()
    {
        using var folder = new ModelFolder();
        folder.Write("silero-vad-v5/silero_vad.onnx", File.ReadAllBytes(SharedFiles.SileroModel));
        var catalog = ModelCatalog.Open(folder.Path);

        var vad = catalog.Resolve("vad", null);
        var verification = Assert.Single(catalog.Verify("silero"));

        Assert.Equal(folder.PathOf("silero-vad-v5/silero_vad.onnx"), vad.PathOf("model"));
        Assert.Equal(FileVerificationOutcome.Verified, verification.Outcome);
        Assert.Equal("1a153a22f4509e292a94e67d6f9b85e8deb25b4988682b7e174c65279d8788e3", verification.ActualSha256);
    }

    [Fact]
    public void The_shipped_int8_segmentation_model_installs_and_verifies_against_the_shipped_manifest()
    {
        using var folder = new ModelFolder();
        const string file = "pyannote-segmentation-3.0-int8/pyannote-segmentation.int8.onnx";
        folder.Write(file, File.ReadAllBytes(SharedFiles.PathOf("models/pyannote-segmentation-3.0.int8.onnx")));
        var catalog = ModelCatalog.Open(folder.Path);

        // The fp32 export stays the default; the int8 one serves when it is the only segmentation model installed.
        var segmentation = catalog.Resolve("segmentation", null);
        var verification = Assert.Single(catalog.Verify("pyannote-int8"));

        Assert.Equal("pyannote-segmentation-3.0-int8", segmentation.Entry.Id);
        Assert.Equal("pyannote-segmentation", segmentation.Entry.Family);
        Assert.Equal(folder.PathOf(file), segmentation.PathOf("model"));
        Assert.Equal(FileVerificationOutcome.Verified, verification.Outcome);
        Assert.Equal("d582f4b4c6b48205de7e0643c57df0df5615a3c176189be3fc461e9d18827b5d", verification.ActualSha256);
        Assert.Equal("pyannote-segmentation-3.0", ModelManifest.Shipped().Defaults["segmentation"]);
    }

    [Fact]
    public void An_empty_folder_with_the_shipped_manifest_says_what_the_default_asr_model_needs()
    {
        using var folder = new ModelFolder();
        var catalog = ModelCatalog.Open(folder.Path);

        var error = Assert.Throws<ModelCatalogException>(() => catalog.Resolve("asr", null));

        Assert.Contains("missing encoder.int8.onnx (652184281 bytes)", error.Message);
        Assert.Contains("missing tokens.txt (93939 bytes)", error.Message);
        Assert.Contains($"models/fetch.sh parakeet-tdt-0.6b-v3-int8 --dir {folder.Path}", error.Message);
    }
}
