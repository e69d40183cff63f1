using Muesli.Inference.Models;
using Muesli.Inference.Tests.Support;
using Xunit;

namespace Muesli.Inference.Tests.Models;

/// <summary>Runs alone: these tests set and restore the process-wide MUESLI_MODELS variable.</summary>
[CollectionDefinition(nameof(ModelsEnvironment), DisableParallelization = true)]
public sealed class ModelsEnvironment;

[Collection(nameof(ModelsEnvironment))]
public sealed class ModelsDirectoryTests
{
    private static void WithVariable(string? value, Action test)
    {
        var saved = Environment.GetEnvironmentVariable(ModelCatalog.EnvironmentVariable);
        Environment.SetEnvironmentVariable(ModelCatalog.EnvironmentVariable, value);
        try
        {
            test();
        }
        finally
        {
            Environment.SetEnvironmentVariable(ModelCatalog.EnvironmentVariable, saved);
        }
    }

    [Fact]
    public void The_option_wins_over_the_variable()
    {
        WithVariable("/from/variable", () =>
            Assert.Equal(Path.GetFullPath("/from/option"), ModelCatalog.ResolveDirectory("/from/option")));
    }

    [Fact]
    public void Without_an_option_the_variable_is_used()
    {
        WithVariable("/from/variable", () =>
        {
            Assert.Equal(Path.GetFullPath("/from/variable"), ModelCatalog.ResolveDirectory(null));
            Assert.Equal(Path.GetFullPath("/from/variable"), ModelCatalog.ResolveDirectory(""));
        });
    }

    [Fact]
    public void A_relative_folder_is_made_absolute()
    {
        WithVariable(null, () =>
            Assert.Equal(Path.Combine(Environment.CurrentDirectory, "my-models"), ModelCatalog.ResolveDirectory("my-models")));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("  ")]
    public void Without_option_or_variable_the_error_says_how_to_give_one(string? variable)
    {
        WithVariable(variable, () =>
        {
            var error = Assert.Throws<ModelCatalogException>(() => ModelCatalog.ResolveDirectory(null));

            Assert.Equal(
                "no models folder: pass --models DIR or set MUESLI_MODELS (models/fetch.sh downloads them)",
                error.Message);
        });
    }

    [Fact]
    public void The_variable_leads_to_a_catalog_of_that_folder()
    {
        using var folder = new ModelFolder();
        folder.WriteManifest(TestManifest.Json);

        WithVariable(folder.Path, () =>
            Assert.Equal(folder.Path, ModelCatalog.Open(ModelCatalog.ResolveDirectory(null)).Directory));
    }
}
