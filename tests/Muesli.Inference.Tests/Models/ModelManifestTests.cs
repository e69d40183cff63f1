using Muesli.Inference.Models;
using Muesli.Inference.Tests.Support;
using Xunit;

namespace Muesli.Inference.Tests.Models;

public sealed class ModelManifestTests
{
    private const string Origin = "'test/models.json'";

    private const string CtcFiles = """
        [{ "role": "model", "name": "model.onnx" }, { "role": "tokens", "name": "tokens.txt" }]
        """;

    private const string Vad = """
        { "id": "vad", "kind": "vad", "family": "silero-vad", "directory": "vad", "files": [{ "role": "model", "name": "m.onnx" }] }
        """;

    private static string Manifest(string defaults, params string[] entries) =>
        $$"""{ "schema": 1, "defaults": {{defaults}}, "models": [{{string.Join(",", entries)}}] }""";

    private static string Ctc(string id, string extra = "") =>
        $$"""{ "id": "{{id}}", "kind": "asr", "family": "nemo-ctc", "directory": "{{id}}", "files": {{CtcFiles}} {{extra}} }""";

    private static ModelCatalogException Invalid(string json) =>
        Assert.Throws<ModelCatalogException>(() => ModelManifest.Parse(json, Origin));

    [Fact]
    public void A_valid_manifest_reads_every_field()
    {
        var manifest = ModelManifest.Parse(TestManifest.Json, Origin);

        var ctc = manifest.Models[0];
        Assert.Equal(Origin, manifest.Origin);
        Assert.Equal("ctc-small", ctc.Id);
        Assert.Equal(["small"], ctc.Aliases);
        Assert.Equal("asr", ctc.Kind);
        Assert.Equal("nemo-ctc", ctc.Family);
        Assert.Equal("ctc-small", ctc.Directory);
        Assert.Equal("CC-BY-4.0", ctc.License);
        Assert.Equal("https://example.org/ctc-small", ctc.Source);
        Assert.Equal(new ModelFile("model", "model.onnx", "https://example.org/model.onnx", 100, null), ctc.Files[0]);
        Assert.Equal(new ModelFile("tokens", "tokens.txt", null, null, null), ctc.Files[1]);
        Assert.DoesNotContain(manifest.Models[1].Files, f => f.Url is not null);
        Assert.Empty(manifest.Models[2].Aliases);
        Assert.Equal(TestManifest.AbcSha256, manifest.Models[2].Files[0].Sha256);
        Assert.Equal("tdt-main", manifest.Defaults["ASR"]);
    }

    [Fact]
    public void A_listed_sha256_is_kept_in_lower_case()
    {
        var json = Manifest("{}", $$"""
            { "id": "vad", "kind": "vad", "family": "silero-vad", "directory": "vad",
              "files": [{ "role": "model", "name": "m.onnx", "sha256": "{{TestManifest.AbcSha256.ToUpperInvariant()}}" }] }
            """);

        Assert.Equal(TestManifest.AbcSha256, ModelManifest.Parse(json, Origin).Models[0].Files[0].Sha256);
    }

    [Fact]
    public void Comments_and_trailing_commas_are_accepted_in_a_hand_written_manifest()
    {
        var json = """
            {
              // written by hand
              "schema": 1,
              "models": [
                { "id": "vad", "kind": "vad", "family": "silero-vad", "directory": "vad", "files": [{ "role": "model", "name": "m.onnx" },] },
              ],
            }
            """;

        Assert.Equal("vad", Assert.Single(ModelManifest.Parse(json, Origin).Models).Id);
    }

    [Theory]
    [InlineData("""{ "kind": "vad", "family": "silero-vad", "directory": "v", "files": [{ "role": "model", "name": "m" }] }""", "models[0]: missing id")]
    [InlineData("""{ "id": "a", "family": "silero-vad", "directory": "v", "files": [{ "role": "model", "name": "m" }] }""", "models[0] ('a'): missing kind")]
    [InlineData("""{ "id": "a", "kind": "vad", "directory": "v", "files": [{ "role": "model", "name": "m" }] }""", "models[0] ('a'): missing family")]
    [InlineData("""{ "id": "a", "kind": "vad", "family": "silero-vad", "files": [{ "role": "model", "name": "m" }] }""", "models[0] ('a'): missing directory")]
    [InlineData("""{ "id": "a", "kind": "vad", "family": "silero-vad", "directory": "v" }""", "models[0] ('a'): missing files")]
    [InlineData("""{ "id": "a", "kind": "vad", "family": "silero-vad", "directory": "v", "files": [] }""", "models[0] ('a'): missing files")]
    [InlineData("""{ "id": "a", "kind": "vad", "family": "silero-vad", "directory": "v", "files": [{ "name": "m" }] }""", "models[0] ('a'): files[0]: missing role")]
    [InlineData("""{ "id": "a", "kind": "vad", "family": "silero-vad", "directory": "v", "files": [{ "role": "model" }] }""", "models[0] ('a'): files[0]: missing name")]
    [InlineData("""{ "id": "a", "kind": "speech", "family": "silero-vad", "directory": "v", "files": [{ "role": "model", "name": "m" }] }""", "unknown kind 'speech'")]
    [InlineData("""{ "id": "a", "kind": "vad", "family": "webrtc", "directory": "v", "files": [{ "role": "model", "name": "m" }] }""", "unknown family 'webrtc'")]
    [InlineData("""{ "id": "a", "kind": "asr", "family": "silero-vad", "directory": "v", "files": [{ "role": "model", "name": "m" }] }""", "family 'silero-vad' makes vad models, not asr")]
    [InlineData("""{ "id": "a", "kind": "vad", "family": "silero-vad", "directory": "../v", "files": [{ "role": "model", "name": "m" }] }""", "directory '../v' must be a relative path")]
    [InlineData("""{ "id": "a", "kind": "vad", "family": "silero-vad", "directory": "/v", "files": [{ "role": "model", "name": "m" }] }""", "directory '/v' must be a relative path")]
    [InlineData("""{ "id": "a", "kind": "vad", "family": "silero-vad", "directory": "v", "files": [{ "role": "model", "name": "x/../../m" }] }""", "name 'x/../../m' must be a relative path")]
    [InlineData("""{ "id": "a", "kind": "vad", "family": "silero-vad", "directory": "v", "files": [{ "role": "model", "name": "m", "size": -1 }] }""", "size -1 is negative")]
    [InlineData("""{ "id": "a", "kind": "vad", "family": "silero-vad", "directory": "v", "files": [{ "role": "model", "name": "m", "sha256": "abc" }] }""", "sha256 'abc' is not 64 hexadecimal digits")]
    [InlineData("""{ "id": "a", "kind": "vad", "family": "silero-vad", "directory": "v", "files": [{ "role": "model", "name": "m" }, { "role": "model", "name": "n" }] }""", "role 'model' is listed twice")]
    public void An_entry_missing_a_field_or_with_a_bad_value_is_named(string entry, string expected)
    {
        var error = Invalid(Manifest("{}", entry));

        Assert.Contains(Origin, error.Message);
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void A_role_the_family_does_not_have_is_named_with_the_family_roles()
    {
        var error = Invalid(Manifest("{}", """
            { "id": "ctc", "kind": "asr", "family": "nemo-ctc", "directory": "c",
              "files": [{ "role": "model", "name": "m" }, { "role": "tokens", "name": "t" }, { "role": "joiner", "name": "j" }] }
            """));

        Assert.Contains("models[0] ('ctc'): files[2]: unknown role 'joiner' for family 'nemo-ctc' (roles: model, tokens)", error.Message);
    }

    [Theory]
    [InlineData("nemo-tdt", "encoder,decoder,tokens", "joiner")]
    [InlineData("whisper", "encoder,tokens", "decoder")]
    [InlineData("nemo-ctc", "model", "tokens")]
    public void A_role_the_family_needs_but_the_entry_lacks_is_named(string family, string roles, string missing)
    {
        var files = string.Join(",", roles.Split(',').Select(r => $$"""{ "role": "{{r}}", "name": "{{r}}.onnx" }"""));
        var error = Invalid(Manifest("{}", $$"""{ "id": "m", "kind": "asr", "family": "{{family}}", "directory": "m", "files": [{{files}}] }"""));

        Assert.Contains($"family '{family}' needs a file for role(s) {missing}", error.Message);
    }

    [Fact]
    public void Duplicate_ids_are_refused_ignoring_case()
    {
        var error = Invalid(Manifest("{}", Ctc("one"), Ctc("ONE")));

        Assert.Contains("duplicate id 'ONE'", error.Message);
    }

    [Fact]
    public void An_alias_used_by_two_models_is_refused()
    {
        var error = Invalid(Manifest("{}", Ctc("one", """, "aliases": ["shared"]"""), Ctc("two", """, "aliases": ["Shared"]""")));

        Assert.Contains("name 'Shared' is used by both 'one' and 'two'", error.Message);
    }

    [Fact]
    public void An_alias_equal_to_another_id_is_refused()
    {
        var error = Invalid(Manifest("{}", Ctc("one"), Ctc("two", """, "aliases": ["one"]""")));

        Assert.Contains("name 'one' is used by both 'one' and 'two'", error.Message);
    }

    [Theory]
    [InlineData("""{ "asr": "missing" }""", "defaults: asr names 'missing', which is not a model id of this manifest")]
    [InlineData("""{ "asr": "vad" }""", "defaults: asr names 'vad', which is a vad model")]
    [InlineData("""{ "speech": "one" }""", "defaults: unknown kind 'speech'")]
    public void A_default_that_does_not_name_a_model_of_its_kind_is_refused(string defaults, string expected)
    {
        var error = Invalid(Manifest(defaults, Ctc("one"), Vad));

        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void An_unsupported_schema_is_refused()
    {
        var error = Invalid("""{ "schema": 2, "models": [] }""");

        Assert.Contains("schema 2 is not supported", error.Message);
    }

    [Fact]
    public void A_manifest_without_models_is_refused()
    {
        var error = Invalid("""{ "schema": 1 }""");

        Assert.Contains("missing \"models\"", error.Message);
    }

    [Fact]
    public void Every_problem_is_named_in_one_message()
    {
        var error = Invalid(Manifest(
            """{ "vad": "gone" }""",
            """{ "id": "a", "family": "nemo-ctc", "directory": "a", "files": [] }""",
            """{ "id": "b", "kind": "asr", "family": "nemo-ctc", "files": [{ "role": "model", "name": "m" }] }"""));

        Assert.Contains("models[0] ('a'): missing kind", error.Message);
        Assert.Contains("models[0] ('a'): missing files", error.Message);
        Assert.Contains("models[1] ('b'): missing directory", error.Message);
        Assert.Contains("models[1] ('b'): family 'nemo-ctc' needs a file for role(s) tokens", error.Message);
        Assert.Contains("defaults: vad names 'gone'", error.Message);
    }

    [Theory]
    [InlineData("{ not json")]
    [InlineData("""{ "schema": 1, "models": [{ "id": "a", "files": [{ "role": "model", "name": "m", "size": "big" }] }] }""")]
    public void Malformed_json_is_refused_naming_the_manifest(string json)
    {
        var error = Invalid(json);

        Assert.StartsWith($"manifest {Origin} is not valid", error.Message);
    }

    [Fact]
    public void Opening_a_folder_with_an_invalid_manifest_names_its_path()
    {
        using var folder = new ModelFolder();
        folder.WriteManifest(Manifest("{}", """{ "kind": "vad", "family": "silero-vad", "directory": "v", "files": [{ "role": "model", "name": "m" }] }"""));

        var error = Assert.Throws<ModelCatalogException>(() => ModelCatalog.Open(folder.Path));

        Assert.Contains($"manifest '{folder.PathOf("models.json")}' is invalid", error.Message);
        Assert.Contains("models[0]: missing id", error.Message);
    }
}
