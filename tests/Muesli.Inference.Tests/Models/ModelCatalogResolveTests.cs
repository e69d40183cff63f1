using Muesli.Inference.Models;
using Muesli.Inference.Tests.Support;
using Xunit;

namespace Muesli.Inference.Tests.Models;

public sealed class ModelCatalogResolveTests : IDisposable
{
    private readonly ModelFolder folder = new();

    public ModelCatalogResolveTests() => folder.WriteManifest(TestManifest.Json);

    public void Dispose() => folder.Dispose();

    [Fact]
    public void Open_reads_the_manifest_of_the_folder()
    {
        var catalog = ModelCatalog.Open(folder.Path);

        Assert.Equal(folder.Path, catalog.Directory);
        Assert.Equal(["ctc-small", "tdt-main", "vad-one"], catalog.Entries.Select(e => e.Id));
        Assert.Contains(folder.PathOf("models.json"), catalog.ManifestOrigin);
        Assert.Equal("tdt-main", catalog.DefaultFor("asr"));
        Assert.Null(catalog.DefaultFor("embedding"));
    }

    [Fact]
    public void Open_on_a_missing_folder_names_it()
    {
        var missing = folder.PathOf("nowhere");

        var error = Assert.Throws<ModelCatalogException>(() => ModelCatalog.Open(missing));

        Assert.Contains($"'{missing}'", error.Message);
        Assert.Contains("does not exist", error.Message);
    }

    [Fact]
    public void Resolve_by_id_gives_absolute_paths_by_role()
    {
        TestManifest.InstallTdtMain(folder);
        var catalog = ModelCatalog.Open(folder.Path);

        var model = catalog.Resolve("asr", "tdt-main");

        Assert.Equal("tdt-main", model.Entry.Id);
        Assert.Equal(folder.PathOf("tdt"), model.Directory);
        Assert.Equal(folder.PathOf("tdt/encoder.int8.onnx"), model.PathOf("encoder"));
        Assert.Equal(folder.PathOf("tdt/decoder.int8.onnx"), model.PathOf("decoder"));
        Assert.Equal(folder.PathOf("tdt/joiner.int8.onnx"), model.PathOf("joiner"));
        Assert.Equal(folder.PathOf("tdt/tokens.txt"), model.PathOf("tokens"));
        Assert.Throws<ModelCatalogException>(() => model.PathOf("model"));
    }

    [Theory]
    [InlineData("main")]
    [InlineData("parakeet")]
    [InlineData("PARAKEET")]
    [InlineData("TDT-Main")]
    public void Resolve_accepts_aliases_and_ignores_case(string name)
    {
        TestManifest.InstallTdtMain(folder);
        var catalog = ModelCatalog.Open(folder.Path);

        Assert.Equal("tdt-main", catalog.Resolve("asr", name).Entry.Id);
        Assert.True(catalog.IsInstalled(name));
    }

    [Fact]
    public void Resolve_without_a_name_prefers_the_installed_default()
    {
        TestManifest.InstallCtcSmall(folder);
        TestManifest.InstallTdtMain(folder);
        var catalog = ModelCatalog.Open(folder.Path);

        Assert.Equal("tdt-main", catalog.Resolve("asr", null).Entry.Id);
    }

    [Fact]
    public void Resolve_without_a_name_falls_back_to_the_first_installed_model_of_the_kind()
    {
        TestManifest.InstallCtcSmall(folder);
        var catalog = ModelCatalog.Open(folder.Path);

        Assert.Equal("ctc-small", catalog.Resolve("asr", null).Entry.Id);
        Assert.Equal("ctc-small", catalog.Resolve("asr", " ").Entry.Id);
    }

    [Fact]
    public void A_file_without_a_listed_size_counts_whatever_its_size()
    {
        TestManifest.InstallCtcSmall(folder, tokensSize: 12345);
        var catalog = ModelCatalog.Open(folder.Path);

        Assert.True(catalog.IsInstalled("ctc-small"));
    }

    [Fact]
    public void Resolve_without_a_name_and_nothing_installed_lists_the_models_and_what_the_default_lacks()
    {
        var catalog = ModelCatalog.Open(folder.Path);

        var error = Assert.Throws<ModelCatalogException>(() => catalog.Resolve("asr", null));

        Assert.Contains($"no asr model is installed in '{folder.Path}'", error.Message);
        Assert.Contains("ctc-small", error.Message);
        Assert.Contains("tdt-main (default", error.Message);
        Assert.Contains("missing encoder.int8.onnx (300 bytes)", error.Message);
        Assert.Contains($"models/fetch.sh tdt-main --dir {folder.Path}", error.Message);
    }

    [Fact]
    public void An_incomplete_model_is_named_with_its_folder_every_missing_file_and_the_fetch_command()
    {
        folder.Install("tdt/decoder.int8.onnx", 40);
        var catalog = ModelCatalog.Open(folder.Path);

        var error = Assert.Throws<ModelCatalogException>(() => catalog.Resolve("asr", "tdt-main"));

        Assert.Contains($"model 'tdt-main' is incomplete in '{folder.PathOf("tdt")}'", error.Message);
        Assert.Contains("missing encoder.int8.onnx (300 bytes)", error.Message);
        Assert.Contains("missing joiner.int8.onnx (20 bytes)", error.Message);
        Assert.Contains("missing tokens.txt (10 bytes)", error.Message);
        Assert.DoesNotContain("decoder.int8.onnx", error.Message);
        Assert.Contains($"fetch it with: models/fetch.sh tdt-main --dir {folder.Path}", error.Message);
        Assert.False(catalog.IsInstalled("tdt-main"));
    }

    [Fact]
    public void A_missing_file_without_a_listed_size_says_so()
    {
        folder.Install("ctc-small/model.onnx", 100);
        var catalog = ModelCatalog.Open(folder.Path);

        var error = Assert.Throws<ModelCatalogException>(() => catalog.Resolve("asr", "small"));

        Assert.Contains("missing tokens.txt (size not listed)", error.Message);
        Assert.DoesNotContain("model.onnx", error.Message);
    }

    [Fact]
    public void A_file_of_the_wrong_size_makes_the_model_incomplete_and_is_named_with_both_sizes()
    {
        TestManifest.InstallTdtMain(folder);
        folder.Install("tdt/joiner.int8.onnx", 7);
        var catalog = ModelCatalog.Open(folder.Path);

        var error = Assert.Throws<ModelCatalogException>(() => catalog.Resolve("asr", "tdt-main"));

        Assert.Contains("wrong size joiner.int8.onnx: 7 bytes, expected 20", error.Message);
        Assert.DoesNotContain("missing", error.Message);
        Assert.False(catalog.IsInstalled("tdt-main"));
    }

    [Fact]
    public void An_incomplete_default_is_skipped_for_an_installed_model_of_the_kind()
    {
        TestManifest.InstallCtcSmall(folder);
        folder.Install("tdt/encoder.int8.onnx", 300);
        var catalog = ModelCatalog.Open(folder.Path);

        Assert.Equal("ctc-small", catalog.Resolve("asr", null).Entry.Id);
    }

    [Fact]
    public void An_unknown_name_lists_the_known_models_of_the_kind()
    {
        var catalog = ModelCatalog.Open(folder.Path);

        var error = Assert.Throws<ModelCatalogException>(() => catalog.Resolve("asr", "whisper-huge"));

        Assert.Contains("unknown asr model 'whisper-huge'", error.Message);
        Assert.Contains("known asr models: ctc-small (aliases: small), tdt-main (default; aliases: main, Parakeet)", error.Message);
        Assert.DoesNotContain("vad-one", error.Message);
        Assert.False(catalog.IsInstalled("whisper-huge"));
    }

    [Fact]
    public void A_model_of_another_kind_is_refused_with_both_kinds_named()
    {
        folder.Write("vad/vad.onnx", "abc"u8.ToArray());
        var catalog = ModelCatalog.Open(folder.Path);

        var error = Assert.Throws<ModelCatalogException>(() => catalog.Resolve("asr", "vad-one"));

        Assert.Contains("model 'vad-one' is of kind vad, not asr", error.Message);
        Assert.Contains("known asr models: ctc-small", error.Message);
        Assert.Equal("vad-one", catalog.Resolve("vad", "vad-one").Entry.Id);
    }

    [Fact]
    public void A_kind_the_manifest_does_not_list_is_a_clear_error()
    {
        var catalog = ModelCatalog.Open(folder.Path);

        var error = Assert.Throws<ModelCatalogException>(() => catalog.Resolve("embedding", null));

        Assert.Contains("lists no embedding model", error.Message);
        Assert.Contains(folder.PathOf("models.json"), error.Message);
    }

    [Fact]
    public void An_unknown_kind_is_refused()
    {
        var catalog = ModelCatalog.Open(folder.Path);

        var error = Assert.Throws<ModelCatalogException>(() => catalog.Resolve("translation", null));

        Assert.Contains("unknown model kind 'translation'", error.Message);
        Assert.Contains("asr, segmentation, embedding, diarization, vad", error.Message);
    }

    [Fact]
    public void The_fetch_command_quotes_a_folder_with_spaces()
    {
        using var spaced = new ModelFolder("my models");
        spaced.WriteManifest(TestManifest.Json);
        var catalog = ModelCatalog.Open(spaced.Path);

        var error = Assert.Throws<ModelCatalogException>(() => catalog.Resolve("asr", "tdt-main"));

        Assert.Contains($"models/fetch.sh tdt-main --dir '{spaced.Path}'", error.Message);
    }

    [Fact]
    public void A_folder_without_a_manifest_uses_the_shipped_one()
    {
        using var bare = new ModelFolder();

        var catalog = ModelCatalog.Open(bare.Path);

        Assert.Equal(ModelManifest.ShippedOrigin, catalog.ManifestOrigin);
        Assert.Equal("parakeet-tdt-0.6b-v3-int8", catalog.DefaultFor("asr"));
        Assert.Contains(catalog.Entries, e => e.Id == "silero-vad-v5");
        Assert.Equal("silero-vad-v5", catalog.DefaultFor("vad")); // fetch.sh defaults installs the VAD with the rest
    }
}
