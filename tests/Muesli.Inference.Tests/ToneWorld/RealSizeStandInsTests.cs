using System.Security.Cryptography;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Muesli.Inference.Models;
using Muesli.Inference.Tests.Support;
using Muesli.TestWorld;
using Xunit;

namespace Muesli.Inference.Tests.ToneWorld;

public sealed class RealSizeStandInsTests
{
    [Fact]
    public void Each_padded_file_gets_the_size_the_shipped_manifest_lists_for_its_real_export()
    {
        var manifest = ModelManifest.Shipped();
        var standIns = StandInModels.All(withVad: true);
        foreach (var ((standIn, file), real) in RealSizeStandIns.Sizes)
        {
            Assert.Contains(standIns, s => s.Id == standIn && s.Files.Any(f => f.Name == file));
            var entry = manifest.Find(real.ModelId);
            Assert.NotNull(entry);
            Assert.Equal(real.Size, Assert.Single(entry.Files, f => f.Role == real.Role).Size);
        }

        // Every stand-in a backend opens by default is padded: the ASR, diarization and VAD defaults.
        var defaults = standIns.GroupBy(s => s.Kind).Select(g => g.First());
        Assert.All(defaults.SelectMany(s => s.Files.Where(f => f.Name.EndsWith(".onnx", StringComparison.Ordinal)).Select(f => (s.Id, f.Name))), f => Assert.Contains(f, RealSizeStandIns.Sizes.Keys));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(127)]
    [InlineData(16_384)]
    [InlineData(2_097_152)]
    [InlineData(3_000_001)]
    public void A_padded_model_has_exactly_the_size_asked_for_its_checksum_and_the_same_outputs(int extra)
    {
        using var folder = new ModelFolder();
        var model = Encoder();
        var size = model.Length + 64L + extra;

        var sha256 = RealSizeStandIns.WritePadded(folder.EncoderPath, model, size);

        Assert.Equal(size, new FileInfo(folder.EncoderPath).Length);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(folder.EncoderPath))), sha256);
        using var plain = new InferenceSession(model);
        using var padded = new InferenceSession(folder.EncoderPath);
        Assert.Equal(plain.ModelMetadata.CustomMetadataMap, padded.ModelMetadata.CustomMetadataMap);
        Assert.Equal(Encode(plain), Encode(padded));
    }

    [Fact]
    public void A_model_larger_than_the_size_asked_for_is_refused()
    {
        using var folder = new ModelFolder();
        var model = Encoder();
        Assert.Throws<ArgumentOutOfRangeException>(() => RealSizeStandIns.WritePadded(folder.EncoderPath, model, model.Length));
    }

    private static byte[] Encoder() => ToneTdtModel.StandIn().Files.Single(f => f.Role == "encoder").Contents;

    private static float[] Encode(InferenceSession encoder)
    {
        const int frames = 200;
        var random = new Random(3);
        var features = new DenseTensor<float>(Enumerable.Range(0, ToneTdtModel.Features * frames).Select(_ => (float)random.NextDouble()).ToArray(), [1, ToneTdtModel.Features, frames]);
        using var results = encoder.Run(
        [
            NamedOnnxValue.CreateFromTensor("audio_signal", features),
            NamedOnnxValue.CreateFromTensor("length", new DenseTensor<long>(new long[] { frames }, [1])),
        ]);
        return results.First(r => r.Name == "outputs").AsTensor<float>().ToArray();
    }
}
