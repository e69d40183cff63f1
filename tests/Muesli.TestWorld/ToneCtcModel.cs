using System.Globalization;
using Google.Protobuf;
using Onnx;

namespace Muesli.TestWorld;

/// <summary>
/// The stand-in NeMo CTC model: the real export's signature (<c>audio_signal</c> f32 [N, F, T], <c>length</c> i64 [N]
/// → <c>logprobs</c> f32 [N, T', V + 1], T' = (T − 1) / 8 + 1, blank last) and metadata, made of ordinary operators:
/// a 3-frame running minimum, AveragePool over 8 frames, a fixed projection of each word's core mel bins onto its
/// token, a threshold as the words' bias, a blank that rises with any level all word bins share, and LogSoftmax.
/// <para>
/// Its input is normalised per mel bin over the window, so absolute levels are gone: a word's bin reads about
/// √((1 − p) / p) while the word sounds (p: the share of the window it fills) and a bin holding only noise reads
/// unit-variance noise. Measured through the NeMo front end on generated meetings (noise 0.0005–0.002, windows of
/// 10 s to 10 min, 80 and 128 bins), a sounding word's pooled core level stays above 1.8 and pure noise below 1.0,
/// hence the threshold of 1.5. A word that fills more than about a fifth of a window drops under it; the generator
/// never lets one crowd a window that much. Digital silence normalises to one constant in every bin (rounding decides
/// its value), which the blank's share of the word bins' mean outweighs.
/// </para>
/// <para>
/// Like the real export, it adds a relative-position table of <see cref="PositionTableLength"/> encoder frames
/// (<see cref="PositionTable"/>) after pooling, so one pass of more than about 400 s fails inside ONNX Runtime.
/// </para>
/// </summary>
public static class ToneCtcModel
{
    public const int SubsamplingFactor = 8;

    /// <summary>Encoder frames one pass may hold, as the real export's position table allows (about 400 s).</summary>
    public const int PositionTableLength = PositionTable.RealLength;

    /// <summary>The metadata key (NeMo's name for the position table's length) under which a model may declare it.</summary>
    public const string PositionsMetadata = "pos_emb_max_len";

    /// <summary>Tokens: one per word, then the blank.</summary>
    public static int Vocabulary => ToneLanguage.Words.Count + 1;

    public static int BlankId => ToneLanguage.Words.Count;

    /// <summary>Mean normalised level over a word's core bins above which its token beats the blank.</summary>
    public const float Threshold = 1.5f;

    /// <summary>Logit per unit of normalised level: sharp enough that a word's token wins clearly once heard.</summary>
    public const float Gain = 8f;

    /// <summary>Frames of the running minimum taken before pooling: a noise spike is briefer than any word.</summary>
    public const int MinimumSpan = 3;

    public static byte[] Build(int features) => BuildModel(features).ToByteArray();

    /// <param name="positions">Encoder frames of the position table; the real exports hold <see cref="PositionTableLength"/>.</param>
    /// <param name="declarePositions">Writes the table's length as <see cref="PositionsMetadata"/>, which the real exports do not.</param>
    public static ModelProto BuildModel(int features, int positions = PositionTableLength, bool declarePositions = false)
    {
        if (features is not (80 or 128))
        {
            throw new ArgumentException($"the NeMo front end has 80 or 128 features, not {features}");
        }

        var graph = new OnnxGraph("tone_ctc");
        var audio = graph.Input("audio_signal", TensorProto.Types.DataType.Float, "N", features, "T");
        graph.Input("length", TensorProto.Types.DataType.Int64, "N");

        // Running minimum over 3 frames as −MaxPool(−x): it keeps a word's plateau and flattens noise spikes.
        var troughs = graph.Node("MaxPool", [graph.Node("Neg", [audio])], null,
            OnnxGraph.Ints("kernel_shape", MinimumSpan),
            OnnxGraph.Ints("strides", 1),
            OnnxGraph.Ints("pads", MinimumSpan / 2, MinimumSpan / 2));
        var steady = graph.Node("Neg", [troughs]);

        // Padding the end by 7 zero frames gives T' = (T − 1) / 8 + 1 for every T ≥ 1 and damps a short last frame.
        var pooled = graph.Node("AveragePool", [steady], null,
            OnnxGraph.Ints("kernel_shape", SubsamplingFactor),
            OnnxGraph.Ints("strides", SubsamplingFactor),
            OnnxGraph.Ints("pads", 0, SubsamplingFactor - 1),
            OnnxGraph.Int("count_include_pad", 1));
        var timeMajor = PositionTable.Add(graph, graph.Node("Transpose", [pooled], null, OnnxGraph.Ints("perm", 0, 2, 1)), positions);
        var projection = graph.Constant("projection", Projection(features), features, Vocabulary);
        var bias = graph.Constant("bias", Bias(), Vocabulary);
        var floor = graph.Constant("floor", Floor(), Vocabulary);
        var logits = graph.Node("Max", [graph.Node("Add", [graph.Node("MatMul", [timeMajor, projection]), bias]), floor]);
        graph.Node("LogSoftmax", [logits], "logprobs", OnnxGraph.Int("axis", -1));
        graph.Output("logprobs", TensorProto.Types.DataType.Float, "N", "T_out", Vocabulary);

        var metadata = new Dictionary<string, string>
        {
            ["vocab_size"] = Vocabulary.ToString(CultureInfo.InvariantCulture),
            ["subsampling_factor"] = SubsamplingFactor.ToString(CultureInfo.InvariantCulture),
            ["normalize_type"] = "per_feature",
            ["feat_dim"] = features.ToString(CultureInfo.InvariantCulture),
            ["model_type"] = "EncDecCTCModelBPE",
        };
        if (declarePositions)
        {
            metadata[PositionsMetadata] = positions.ToString(CultureInfo.InvariantCulture);
        }

        return graph.ToModel(metadata);
    }

    /// <summary><c>tokens.txt</c>: a SentencePiece word-start piece per word (<c>▁alpha 0</c>), <c>&lt;blk&gt;</c> last.</summary>
    public static string Tokens()
    {
        var lines = ToneLanguage.Words.Select((word, k) => $"\u2581{word} {k}").Append($"<blk> {BlankId}");
        return string.Join('\n', lines) + "\n";
    }

    /// <summary>
    /// [F, V + 1], row-major: each word's token takes the mean of its core bins, the blank the mean of every word's
    /// core bins, both scaled by the gain.
    /// </summary>
    private static float[] Projection(int features)
    {
        var cores = ToneLanguage.WordFrequencies.Select(hz => ToneResponse.CoreBins(hz, features)).ToArray();
        var weights = new float[features * Vocabulary];
        for (var k = 0; k < cores.Length; k++)
        {
            foreach (var m in cores[k])
            {
                weights[m * Vocabulary + k] = Gain / cores[k].Length;
            }
        }

        var shared = SharedLevelWeights(features);
        for (var m = 0; m < features; m++)
        {
            weights[m * Vocabulary + BlankId] = Gain * shared[m];
        }

        return weights;
    }

    /// <summary>
    /// [F]: every word's core bins averaged together (each bin weighs one over the cores' total size) — the level all
    /// word bins share, which the blank takes: a floor raised equally in every bin is broadband sound, not a word.
    /// </summary>
    public static float[] SharedLevelWeights(int features)
    {
        var band = ToneLanguage.WordFrequencies.SelectMany(hz => ToneResponse.CoreBins(hz, features)).ToArray();
        var weights = new float[features];
        foreach (var m in band)
        {
            weights[m] = 1f / band.Length;
        }

        return weights;
    }

    /// <summary>Lower bounds of the logits: none for the words, 0 for the blank, which so never drops below 0.</summary>
    private static float[] Floor()
    {
        var floor = Enumerable.Repeat(float.MinValue, Vocabulary).ToArray();
        floor[BlankId] = 0;
        return floor;
    }

    private static float[] Bias()
    {
        var bias = new float[Vocabulary];
        for (var k = 0; k < ToneLanguage.Words.Count; k++)
        {
            bias[k] = -Gain * Threshold;
        }

        return bias;
    }
}
