using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Muesli.TestWorld;
using Xunit;

namespace Muesli.Inference.Tests.ToneWorld;

public sealed class ToneCtcModelTests
{
    [Theory]
    [InlineData(80)]
    [InlineData(128)]
    public void It_has_the_nemo_ctc_export_signature_and_metadata(int features)
    {
        using var session = new InferenceSession(ToneCtcModel.Build(features));

        var audio = session.InputMetadata["audio_signal"];
        Assert.Equal(typeof(float), audio.ElementType);
        Assert.Equal([-1, features, -1], audio.Dimensions);
        var length = session.InputMetadata["length"];
        Assert.Equal(typeof(long), length.ElementType);
        Assert.Equal([-1], length.Dimensions);
        var logprobs = Assert.Single(session.OutputMetadata);
        Assert.Equal("logprobs", logprobs.Key);
        Assert.Equal([-1, -1, 21], logprobs.Value.Dimensions);

        var metadata = session.ModelMetadata.CustomMetadataMap;
        Assert.Equal("21", metadata["vocab_size"]);
        Assert.Equal("8", metadata["subsampling_factor"]);
        Assert.Equal("per_feature", metadata["normalize_type"]);
        Assert.Equal(features.ToString(), metadata["feat_dim"]);
        Assert.Equal("EncDecCTCModelBPE", metadata["model_type"]);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(9)]
    [InlineData(16)]
    [InlineData(1001)]
    public void It_gives_one_distribution_per_eight_frames(int frames)
    {
        using var session = new InferenceSession(ToneCtcModel.Build(80));
        var random = new Random(frames);
        var features = new DenseTensor<float>(Enumerable.Range(0, 2 * 80 * frames).Select(_ => (float)random.NextDouble()).ToArray(), [2, 80, frames]);

        var output = Run(session, features);

        Assert.Equal([2, (frames - 1) / 8 + 1, 21], output.Dimensions.ToArray());
        for (var n = 0; n < 2; n++)
        {
            for (var t = 0; t < output.Dimensions[1]; t++)
            {
                var total = Enumerable.Range(0, 21).Sum(v => Math.Exp(output[n, t, v]));
                Assert.Equal(1, total, 4);
            }
        }
    }

    [Theory]
    [InlineData(80, 0)]
    [InlineData(128, 0)]
    [InlineData(128, -3)]
    [InlineData(80, 0.9)]
    [InlineData(128, 3)]
    [InlineData(80, 40)]
    public void Features_equal_in_every_bin_are_all_blank(int features, float level)
    {
        // Digital silence normalises to one constant everywhere, its value set by rounding in the mean.
        using var session = new InferenceSession(ToneCtcModel.Build(features));

        var output = Run(session, new DenseTensor<float>(Enumerable.Repeat(level, features * 400).ToArray(), [1, features, 400]));

        for (var t = 0; t < output.Dimensions[1]; t++)
        {
            Assert.Equal(ToneCtcModel.BlankId, ArgMax(output, t));
        }
    }

    [Theory]
    [InlineData(80)]
    [InlineData(128)]
    public void A_word_level_under_the_threshold_stays_blank_however_low_the_other_word_bins_are(int features)
    {
        using var session = new InferenceSession(ToneCtcModel.Build(features));
        var cores = ToneLanguage.WordFrequencies.Select(hz => BinsNearTonePeak(hz, features)).ToArray();
        var data = new float[features * 80];
        foreach (var (core, k) in cores.Select((core, k) => (core, k)))
        {
            foreach (var bin in core)
            {
                Array.Fill(data, k == 4 ? ToneCtcModel.Threshold - 0.3f : -2f, bin * 80, 80);
            }
        }

        var output = Run(session, new DenseTensor<float>(data, [1, features, 80]));

        for (var t = 0; t < output.Dimensions[1]; t++)
        {
            Assert.Equal(ToneCtcModel.BlankId, ArgMax(output, t));
        }
    }

    [Theory]
    [InlineData(80, 0)]
    [InlineData(80, 19)]
    [InlineData(128, 7)]
    [InlineData(128, 13)]
    public void A_word_heard_in_its_mel_bins_wins_over_the_blank_while_it_lasts(int features, int word)
    {
        using var session = new InferenceSession(ToneCtcModel.Build(features));

        // The word's tone, as the front end would see it: mel bins where its power is within 3 dB of its peak,
        // found here by a plain DFT of the windowed tone, raised to 3 (normalised units) for frames 80–119.
        var bins = BinsNearTonePeak(ToneLanguage.WordFrequency(word), features);
        var data = new float[features * 240];
        foreach (var bin in bins)
        {
            for (var t = 80; t < 120; t++)
            {
                data[bin * 240 + t] = 3;
            }
        }

        var output = Run(session, new DenseTensor<float>(data, [1, features, 240]));

        var heard = Enumerable.Range(0, output.Dimensions[1]).Select(t => ArgMax(output, t)).ToArray();
        Assert.All(heard[..10], token => Assert.Equal(ToneCtcModel.BlankId, token));
        Assert.All(heard[10..15], token => Assert.Equal(word, token));
        Assert.All(heard[15..], token => Assert.Equal(ToneCtcModel.BlankId, token));
    }

    [Fact]
    public void Tokens_are_one_word_start_piece_per_word_then_the_blank()
    {
        var lines = ToneCtcModel.Tokens().Split('\n', StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal(21, lines.Length);
        Assert.Equal("▁alpha 0", lines[0]);
        Assert.Equal("▁tango 19", lines[19]);
        Assert.Equal("<blk> 20", lines[20]);
        Assert.All(lines.Take(20), (line, k) => Assert.Equal($"\u2581{ToneLanguage.Words[k]} {k}", line));
    }

    [Theory]
    [InlineData(80)]
    [InlineData(128)]
    public void Each_word_has_mel_bins_of_its_own(int features)
    {
        var cores = ToneLanguage.WordFrequencies.Select(hz => BinsNearTonePeak(hz, features)).ToArray();

        for (var a = 0; a < cores.Length; a++)
        {
            for (var b = a + 1; b < cores.Length; b++)
            {
                Assert.Empty(cores[a].Intersect(cores[b]));
            }
        }
    }

    [Fact]
    public void The_models_folder_lists_the_stand_in_ctc_with_its_files_and_makes_it_the_default_asr()
    {
        var folder = Directory.CreateTempSubdirectory("tone-models-").FullName;
        try
        {
            StandInModels.WriteModelsFolder(folder);

            using var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "models.json")));
            var root = manifest.RootElement;
            Assert.Equal(1, root.GetProperty("schema").GetInt32());
            Assert.Equal(StandInModels.CtcId, root.GetProperty("defaults").GetProperty("asr").GetString());
            var model = Assert.Single(root.GetProperty("models").EnumerateArray(), m => m.GetProperty("id").GetString() == "tone-ctc");
            Assert.Equal("asr", model.GetProperty("kind").GetString());
            Assert.Equal("nemo-ctc", model.GetProperty("family").GetString());
            Assert.Equal("tone-ctc", model.GetProperty("directory").GetString());

            var files = model.GetProperty("files").EnumerateArray().ToDictionary(f => f.GetProperty("role").GetString()!);
            Assert.Equal(["model", "tokens"], files.Keys.Order().ToArray());
            Assert.Equal("model.onnx", files["model"].GetProperty("name").GetString());
            Assert.Equal("tokens.txt", files["tokens"].GetProperty("name").GetString());
            foreach (var file in files.Values)
            {
                Assert.Equal(JsonValueKind.Null, file.GetProperty("url").ValueKind);
                var bytes = File.ReadAllBytes(Path.Combine(folder, "tone-ctc", file.GetProperty("name").GetString()!));
                Assert.Equal(bytes.LongLength, file.GetProperty("size").GetInt64());
                Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(bytes)), file.GetProperty("sha256").GetString());
            }

            using var session = new InferenceSession(Path.Combine(folder, "tone-ctc", "model.onnx"));
            Assert.Equal([-1, 128, -1], session.InputMetadata["audio_signal"].Dimensions);
            Assert.Equal(ToneCtcModel.Tokens(), File.ReadAllText(Path.Combine(folder, "tone-ctc", "tokens.txt")));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static Tensor<float> Run(InferenceSession session, DenseTensor<float> features)
    {
        var batch = features.Dimensions[0];
        var lengths = new DenseTensor<long>(Enumerable.Repeat((long)features.Dimensions[2], batch).ToArray(), [batch]);
        using var results = session.Run(
        [
            NamedOnnxValue.CreateFromTensor("audio_signal", features),
            NamedOnnxValue.CreateFromTensor("length", lengths),
        ]);
        return results.Single().AsTensor<float>().ToDenseTensor();
    }

    private static int ArgMax(Tensor<float> logprobs, int frame)
        => Enumerable.Range(0, 21).MaxBy(v => logprobs[0, frame, v]);

    /// <summary>Mel bins whose power for a tone is within 3 dB of its strongest, by a direct DFT and Slaney filters.</summary>
    private static int[] BinsNearTonePeak(double hz, int bins)
    {
        var power = new double[257];
        for (var j = 0; j < power.Length; j++)
        {
            double re = 0, im = 0;
            for (var n = 0; n < 400; n++)
            {
                var window = 0.5 - 0.5 * Math.Cos(2 * Math.PI * n / 399);
                var x = Math.Sin(2 * Math.PI * hz * n / 16000) - 0.97 * Math.Sin(2 * Math.PI * hz * (n - 1) / 16000);
                re += window * x * Math.Cos(2 * Math.PI * j * n / 512);
                im -= window * x * Math.Sin(2 * Math.PI * j * n / 512);
            }

            power[j] = re * re + im * im;
        }

        static double Mel(double f) => f < 1000 ? 3 * f / 200 : 15 + 27 * Math.Log(f / 1000) / Math.Log(6.4);
        static double Hz(double m) => m < 15 ? 200 * m / 3 : 1000 * Math.Exp((m - 15) * Math.Log(6.4) / 27);
        var edges = Enumerable.Range(0, bins + 2).Select(i => Hz(Mel(8000) * i / (bins + 1))).ToArray();
        var mel = new double[bins];
        for (var m = 0; m < bins; m++)
        {
            for (var j = 0; j < power.Length; j++)
            {
                var f = j * 16000.0 / 512;
                var rise = (f - edges[m]) / (edges[m + 1] - edges[m]);
                var fall = (edges[m + 2] - f) / (edges[m + 2] - edges[m + 1]);
                mel[m] += Math.Max(0, Math.Min(rise, fall)) * 2 / (edges[m + 2] - edges[m]) * power[j];
            }
        }

        return Enumerable.Range(0, bins).Where(m => mel[m] >= 0.5 * mel.Max()).ToArray();
    }
}
