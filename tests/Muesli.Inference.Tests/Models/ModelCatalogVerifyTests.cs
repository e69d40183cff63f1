using Muesli.Inference.Models;
using Muesli.Inference.Tests.Support;
using Xunit;

namespace Muesli.Inference.Tests.Models;

public sealed class ModelCatalogVerifyTests : IDisposable
{
    private readonly ModelFolder folder = new();

    public ModelCatalogVerifyTests() => folder.WriteManifest(TestManifest.Json);

    public void Dispose() => folder.Dispose();

    [Fact]
    public void A_file_with_the_listed_sha256_is_verified()
    {
        folder.Write("vad/vad.onnx", "abc"u8.ToArray());
        var catalog = ModelCatalog.Open(folder.Path);

        var result = Assert.Single(catalog.Verify("vad-one"));

        Assert.Equal(FileVerificationOutcome.Verified, result.Outcome);
        Assert.Equal(TestManifest.AbcSha256, result.ActualSha256);
        Assert.Equal(folder.PathOf("vad/vad.onnx"), result.Path);
        Assert.Equal(3, result.ActualSize);
        Assert.True(result.IsIntact);
    }

    [Fact]
    public void A_file_of_the_right_size_but_other_content_is_a_checksum_mismatch()
    {
        folder.Write("vad/vad.onnx", "abd"u8.ToArray());
        var catalog = ModelCatalog.Open(folder.Path);

        var result = Assert.Single(catalog.Verify("vad-one"));

        Assert.Equal(FileVerificationOutcome.ChecksumMismatch, result.Outcome);
        Assert.NotNull(result.ActualSha256);
        Assert.NotEqual(TestManifest.AbcSha256, result.ActualSha256);
        Assert.False(result.IsIntact);
    }

    [Fact]
    public void Missing_files_wrong_sizes_and_files_without_checksum_are_reported_without_hashing()
    {
        folder.Install("ctc-small/model.onnx", 99);
        folder.Install("ctc-small/tokens.txt", 4);
        folder.Install("tdt/encoder.int8.onnx", 300);
        var catalog = ModelCatalog.Open(folder.Path);

        var ctc = catalog.Verify("small");
        var tdt = catalog.Verify("tdt-main");

        Assert.Equal(
            [FileVerificationOutcome.WrongSize, FileVerificationOutcome.NoChecksumListed],
            ctc.Select(r => r.Outcome));
        Assert.All(ctc, r => Assert.Null(r.ActualSha256));
        Assert.Equal(99, ctc[0].ActualSize);
        Assert.Equal(FileVerificationOutcome.NoChecksumListed, tdt[0].Outcome);
        Assert.All(tdt.Skip(1), r => Assert.Equal(FileVerificationOutcome.Missing, r.Outcome));
        Assert.All(tdt.Skip(1), r => Assert.Null(r.ActualSize));
    }

    [Fact]
    public void Verifying_an_unknown_model_lists_every_known_id()
    {
        var catalog = ModelCatalog.Open(folder.Path);

        var error = Assert.Throws<ModelCatalogException>(() => catalog.Verify("nope"));

        Assert.Contains("unknown model 'nope'", error.Message);
        Assert.Contains("ctc-small, tdt-main, vad-one", error.Message);
    }
}
