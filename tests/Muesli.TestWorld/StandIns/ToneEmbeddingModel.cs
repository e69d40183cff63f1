using System.Globalization;
using Google.Protobuf;
using Onnx;

namespace Muesli.TestWorld.StandIns;

/// <summary>
/// The stand-in WeSpeaker ResNet34: the sherpa-onnx export's signature (<c>feats</c> f32 [B, T, 80] Kaldi fbank →
/// <c>embs</c> f32 [B, 256]) and metadata. The pyannote recipe removes each bin's mean over time, so the level of a
/// voice is gone from what it hears; what stays is how steady each bin is. A speaker's voice is a steady tone, so its
/// fbank bins barely move (variance about 0.01 over a clip) while bins of noise or words move a lot (0.1–0.5). The
/// model takes each bin's variance over time, turns it into steadiness (variance + 10⁻⁴)^−3, and projects it with a
/// fixed matrix in which every bin near voice j's tone points along voice j's own direction of 256 dimensions (the
/// directions are orthonormal; other bins weigh nothing): the embedding is dominated by the voice band, speakers are
/// nearly orthogonal, and one speaker's clips from anywhere embed close together.
/// </summary>
public static class ToneEmbeddingModel
{
    public const string Id = "tone-embedding";
    public const string Family = "wespeaker";

    public const int MelBins = 80;
    public const int Dimension = 256;

    /// <summary>Steadiness = (variance + floor)^−<see cref="Sharpness"/>: a voice bin outweighs a noise bin about a thousandfold.</summary>
    public const float Sharpness = 3;

    private const float VarianceFloor = 1e-4f;

    // Kaldi's mel scale and the fbank's band (spec/models.md: 80 bins from 20 Hz to Nyquist at 16 kHz).
    private const double LowHz = 20;
    private const double HighHz = 8000;

    public static StandInModels.StandIn StandIn() =>
        new(Id, "embedding", Family, [new StandInModels.StandInFile("model", "model.onnx", Build())]);

    public static byte[] Build() => BuildModel().ToByteArray();

    public static ModelProto BuildModel()
    {
        var graph = new OnnxGraph("tone_embedding");
        var feats = graph.Input("feats", TensorProto.Types.DataType.Float, "B", "T", MelBins);

        // Variance over time per bin, [B, 80], whether or not the mean was taken out before.
        var mean = graph.Node("ReduceMean", [feats], null, OnnxGraph.Ints("axes", 1), OnnxGraph.Int("keepdims", 0));
        var meanSquare = graph.Node("ReduceMean", [graph.Node("Mul", [feats, feats])], null, OnnxGraph.Ints("axes", 1), OnnxGraph.Int("keepdims", 0));
        var variance = graph.Node("Relu", [graph.Node("Sub", [meanSquare, graph.Node("Mul", [mean, mean])])]);

        var steadiness = graph.Node("Pow", [
            graph.Node("Add", [variance, graph.Constant("variance_floor", [VarianceFloor], 1)]),
            graph.Constant("sharpness", [-Sharpness], 1)]);
        graph.Node("MatMul", [steadiness, graph.Constant("projection", Projection(), MelBins, Dimension)], "embs");
        graph.Output("embs", TensorProto.Types.DataType.Float, "B", Dimension);

        return graph.ToModel(new Dictionary<string, string>
        {
            ["framework"] = "wespeaker",
            ["language"] = "tone",
            ["url"] = "built in code by Muesli.TestWorld",
            ["comment"] = "stand-in for wespeaker_en_voxceleb_resnet34_LM",
            ["sample_rate"] = "16000",
            ["output_dim"] = Dimension.ToString(CultureInfo.InvariantCulture),
            ["normalize_samples"] = "0",
        });
    }

    /// <summary>How much fbank bin <paramref name="bin"/>'s triangle passes a tone at <paramref name="hz"/> (0–1).</summary>
    public static double BinResponse(int bin, double hz)
    {
        var low = Mel(LowHz);
        var spacing = (Mel(HighHz) - low) / (MelBins + 1);
        var left = low + (bin * spacing);
        var mel = Mel(hz);
        return mel <= left || mel >= left + (2 * spacing) ? 0 : 1 - (Math.Abs(mel - (left + spacing)) / spacing);
    }

    /// <summary>Voice j's direction: orthonormal vectors from a fixed seed, so the embedding uses every dimension.</summary>
    public static double[][] VoiceDirections()
    {
        var random = new Random(20240611);
        var directions = new List<double[]>();
        while (directions.Count < ToneLanguage.MaxSpeakers)
        {
            var v = Enumerable.Range(0, Dimension).Select(_ => random.NextDouble() - 0.5).ToArray();
            foreach (var u in directions)
            {
                var dot = v.Zip(u, (a, b) => a * b).Sum();
                for (var d = 0; d < Dimension; d++)
                {
                    v[d] -= dot * u[d];
                }
            }

            var norm = Math.Sqrt(v.Sum(x => x * x));
            directions.Add(v.Select(x => x / norm).ToArray());
        }

        return [.. directions];
    }

    /// <summary>[80, 256]: bin b's row is Σ_j response(b, voice j) · direction j.</summary>
    private static float[] Projection()
    {
        var directions = VoiceDirections();
        var projection = new float[MelBins * Dimension];
        for (var b = 0; b < MelBins; b++)
        {
            for (var j = 0; j < directions.Length; j++)
            {
                var response = BinResponse(b, ToneLanguage.VoiceFrequency(j));
                for (var d = 0; d < Dimension; d++)
                {
                    projection[(b * Dimension) + d] += (float)(response * directions[j][d]);
                }
            }
        }

        return projection;
    }

    private static double Mel(double hz) => 1127 * Math.Log(1 + (hz / 700));
}
