using System.Globalization;
using System.Text;
using Google.Protobuf;
using Onnx;

namespace Muesli.TestWorld;

/// <summary>
/// The stand-in Parakeet TDT model: sherpa-onnx's three files with the real export's names, shapes and metadata
/// (encoder D = 1024, a 2 × 640 LSTM state, V + 5 joiner scores, 128 features), made of ordinary operators.
/// <para>
/// The encoder hears words as <see cref="ToneCtcModel"/> does (running minimum, 8-frame average, each word's core mel
/// bins, the same threshold above the level every word bin shares, so a floor raised in all bins alike is no word)
/// and writes, per encoder frame, four groups of channels: which word is heard (the loudest
/// word over the threshold), whether it starts there, for how many frames it goes on without another word starting
/// (1–4), and for how many frames nothing is heard (1–4). The decoder keeps the last emitted token in its LSTM state
/// slots and outputs it. The joiner emits a heard word unless it is the last token and does not start at this frame
/// (so it says a word once, and again only when it is spoken again), with its run as the duration; otherwise blank,
/// skipping the silence ahead.
/// </para>
/// <para>
/// Like the real export, the encoder adds a relative-position table of <see cref="PositionTableLength"/> frames
/// (<see cref="PositionTable"/>), so one pass of more than about 400 s fails inside ONNX Runtime.
/// </para>
/// </summary>
public static class ToneTdtModel
{
    public const string Id = "tone-tdt";
    public const string Family = "nemo-tdt";
    public const int Features = 128;
    public const int EncoderDimension = 1024;
    public const int PredictionLayers = 2;
    public const int PredictionHidden = 640;

    /// <summary>Encoder frames one pass may hold, as the real export's position table allows (about 400 s).</summary>
    public const int PositionTableLength = PositionTable.RealLength;

    /// <summary>Durations the joiner scores, as NeMo's TDT models have them.</summary>
    public const int Durations = 5;

    /// <summary>The longest skip the duration scores can say.</summary>
    public const int MaxDuration = Durations - 1;

    // Channel groups of an encoder frame, each one per word except the silence run.
    public const int HeardChannels = 0;
    public static int OnsetChannels => Words;
    public static int RunChannels => 2 * Words;
    public static int SilenceChannel => 3 * Words;

    private const float EmitScore = 10f;
    private const float BlankScore = 5f;

    private static int Words => ToneLanguage.Words.Count;

    private static int Vocabulary => ToneCtcModel.Vocabulary;

    /// <summary>The stand-in's manifest entry and files.</summary>
    public static StandInModels.StandIn StandIn() => new(Id, "asr", Family,
    [
        new StandInModels.StandInFile("encoder", "encoder.onnx", Encoder().ToByteArray()),
        new StandInModels.StandInFile("decoder", "decoder.onnx", Decoder().ToByteArray()),
        new StandInModels.StandInFile("joiner", "joiner.onnx", Joiner().ToByteArray()),
        new StandInModels.StandInFile("tokens", "tokens.txt", Encoding.UTF8.GetBytes(ToneCtcModel.Tokens())),
    ]);

    /// <summary><c>audio_signal</c> f32 [N, 128, T], <c>length</c> i64 [N] → <c>outputs</c> f32 [N, 1024, T'], <c>encoded_lengths</c> i64 [N].</summary>
    public static ModelProto Encoder()
    {
        var graph = new OnnxGraph("tone_tdt_encoder");
        var audio = graph.Input("audio_signal", TensorProto.Types.DataType.Float, "N", Features, "T");
        var length = graph.Input("length", TensorProto.Types.DataType.Int64, "N");

        // Heard as the stand-in CTC hears: running minimum over 3 frames, 8-frame average, mean level of core bins.
        var troughs = graph.Node("MaxPool", [graph.Node("Neg", [audio])], null,
            OnnxGraph.Ints("kernel_shape", ToneCtcModel.MinimumSpan),
            OnnxGraph.Ints("strides", 1),
            OnnxGraph.Ints("pads", ToneCtcModel.MinimumSpan / 2, ToneCtcModel.MinimumSpan / 2));
        var pooled = graph.Node("AveragePool", [graph.Node("Neg", [troughs])], null,
            OnnxGraph.Ints("kernel_shape", ToneCtcModel.SubsamplingFactor),
            OnnxGraph.Ints("strides", ToneCtcModel.SubsamplingFactor),
            OnnxGraph.Ints("pads", 0, ToneCtcModel.SubsamplingFactor - 1),
            OnnxGraph.Int("count_include_pad", 1));
        var timeMajor = PositionTable.Add(graph, graph.Node("Transpose", [pooled], null, OnnxGraph.Ints("perm", 0, 2, 1)), PositionTableLength);
        var levels = graph.Node("MatMul", [timeMajor, graph.Constant("core_bins", CoreBinMeans(), Features, Words)]);

        // [N, T', W]: the loudest word over the threshold is heard; it starts where it was not heard a frame before.
        // A word is heard where the stand-in CTC's token beats its blank: over the threshold plus any shared level.
        var shared = graph.Node("MatMul", [timeMajor, graph.Constant("shared_level", ToneCtcModel.SharedLevelWeights(Features), Features, 1)]);
        var bar = graph.Node("Add", [graph.Node("Relu", [shared]), graph.Constant("threshold", [ToneCtcModel.Threshold], 1)]);
        var loudest = graph.Node("ReduceMax", [levels], null, OnnxGraph.Ints("axes", 2), OnnxGraph.Int("keepdims", 1));
        var overThreshold = graph.Node("Greater", [levels, bar]);
        var isLoudest = graph.Node("GreaterOrEqual", [levels, loudest]);
        var heard = ToFloat(graph, graph.Node("And", [overThreshold, isLoudest]));
        var one = graph.Constant("one", [1f], 1);
        var onset = graph.Node("Mul", [heard, graph.Node("Sub", [one, Previous(graph, heard)])]);
        var anyOnset = graph.Node("ReduceMax", [onset], null, OnnxGraph.Ints("axes", 2), OnnxGraph.Int("keepdims", 1));
        var anyHeard = graph.Node("ReduceMax", [heard], null, OnnxGraph.Ints("axes", 2), OnnxGraph.Int("keepdims", 1));

        // run = 1 + c1 + c1·c2 + c1·c2·c3, c_j: the word still heard j frames ahead with no other word starting there.
        var run = Run(graph, one, j => graph.Node("Mul", [Ahead(graph, heard, j), graph.Node("Sub", [one, Ahead(graph, anyOnset, j)])]));
        var silence = Run(graph, one, j => graph.Node("Sub", [one, Ahead(graph, anyHeard, j)]));

        var channels = graph.Node("Concat", [heard, onset, run, silence], null, OnnxGraph.Int("axis", 2));
        var padding = graph.Constant("channel_padding", [0L, 0L, 0L, 0L, 0L, EncoderDimension - SilenceChannel - 1], 6);
        var frames = graph.Node("Pad", [channels, padding]);
        graph.Node("Transpose", [frames], "outputs", OnnxGraph.Ints("perm", 0, 2, 1));
        graph.Output("outputs", TensorProto.Types.DataType.Float, "N", EncoderDimension, "T_out");

        // T' = (T − 1) / 8 + 1, as the average pool's end padding gives.
        var eight = graph.Constant("eight", [(long)ToneCtcModel.SubsamplingFactor], 1);
        var oneFrame = graph.Constant("one_frame", [1L], 1);
        graph.Node("Add", [graph.Node("Div", [graph.Node("Sub", [length, oneFrame]), eight]), oneFrame], "encoded_lengths");
        graph.Output("encoded_lengths", TensorProto.Types.DataType.Int64, "N");

        return graph.ToModel(Metadata());
    }

    /// <summary>
    /// <c>targets</c> i32 [N, 1], <c>target_length</c> i32 [N] and two LSTM states f32 [2, N, 640] (auto-generated
    /// names, as in the real export) → <c>outputs</c> [N, 640, 1], <c>prednet_lengths</c>, the next states. State 1
    /// holds the last and the previous token, state 2 the two before; the output is the last token. A blank keeps the
    /// last token.
    /// </summary>
    public static ModelProto Decoder()
    {
        var graph = new OnnxGraph("tone_tdt_decoder");
        var targets = graph.Input("targets", TensorProto.Types.DataType.Int32, "N", 1);
        var targetLength = graph.Input("target_length", TensorProto.Types.DataType.Int32, "N");
        var recent = graph.Input("onnx::Slice_2", TensorProto.Types.DataType.Float, PredictionLayers, "N", PredictionHidden);
        var older = graph.Input("onnx::Slice_3", TensorProto.Types.DataType.Float, PredictionLayers, "N", PredictionHidden);

        var token = graph.Node("OneHot", [
            graph.Node("Cast", [targets], null, OnnxGraph.Int("to", (long)TensorProto.Types.DataType.Int64)),
            graph.Constant("depth", [(long)PredictionHidden], 1),
            graph.Constant("off_on", [0f, 1f], 2)]);
        var tokenByLayer = graph.Node("Transpose", [token], null, OnnxGraph.Ints("perm", 1, 0, 2));
        var isBlank = Channels(graph, tokenByLayer, 2, ToneCtcModel.BlankId, ToneCtcModel.BlankId + 1);
        var isToken = graph.Node("Sub", [graph.Constant("one", [1f], 1), isBlank]);
        var last = Layer(graph, recent, 0);
        var newLast = graph.Node("Add", [graph.Node("Mul", [tokenByLayer, isToken]), graph.Node("Mul", [last, isBlank])]);

        graph.Node("Concat", [newLast, last], "states.1", OnnxGraph.Int("axis", 0));
        graph.Node("Concat", [Layer(graph, recent, 1), Layer(graph, older, 0)], "states.2", OnnxGraph.Int("axis", 0));
        graph.Node("Transpose", [newLast], "outputs", OnnxGraph.Ints("perm", 1, 2, 0));
        graph.Node("Identity", [targetLength], "prednet_lengths");
        graph.Output("outputs", TensorProto.Types.DataType.Float, "N", PredictionHidden, 1);
        graph.Output("prednet_lengths", TensorProto.Types.DataType.Int32, "N");
        graph.Output("states.1", TensorProto.Types.DataType.Float, PredictionLayers, "N", PredictionHidden);
        graph.Output("states.2", TensorProto.Types.DataType.Float, PredictionLayers, "N", PredictionHidden);
        return graph.ToModel(new Dictionary<string, string>());
    }

    /// <summary><c>encoder_outputs</c> [N, 1024, 1], <c>decoder_outputs</c> [N, 640, 1] → <c>outputs</c> [N, 1, 1, V + 5].</summary>
    public static ModelProto Joiner()
    {
        var graph = new OnnxGraph("tone_tdt_joiner");
        var frame = graph.Input("encoder_outputs", TensorProto.Types.DataType.Float, "N", EncoderDimension, 1);
        var prediction = graph.Input("decoder_outputs", TensorProto.Types.DataType.Float, "N", PredictionHidden, 1);

        var heard = Channels(graph, frame, 1, HeardChannels, HeardChannels + Words);
        var onset = Channels(graph, frame, 1, OnsetChannels, OnsetChannels + Words);
        var run = Channels(graph, frame, 1, RunChannels, RunChannels + Words);
        var silence = Channels(graph, frame, 1, SilenceChannel, SilenceChannel + 1);
        var last = Channels(graph, prediction, 1, 0, Words);

        // [N, W, 1]: a heard word is emitted if it starts here or was not the last token.
        var one = graph.Constant("one", [1f], 1);
        var emit = graph.Node("Mul", [heard, graph.Node("Max", [onset, graph.Node("Sub", [one, last])])]);
        var emitted = graph.Node("ReduceSum", [emit, graph.Constant("word_axis", [1L], 1)], null, OnnxGraph.Int("keepdims", 1));
        var wordScores = graph.Node("Mul", [emit, graph.Constant("emit_score", [EmitScore], 1)]);

        // The blank's score, shaped [N, 1, 1] like one word's.
        var blankScore = graph.Node("Add", [graph.Node("Mul", [emitted, graph.Constant("zero", [0f], 1)]), graph.Constant("blank_score", [BlankScore], 1)]);
        var tokenScores = graph.Node("Concat", [wordScores, blankScore], null, OnnxGraph.Int("axis", 1));

        // Duration: the emitted word's run, or the silence ahead; scored −(d − duration)² so the nearest one wins.
        var wordRun = graph.Node("ReduceSum", [graph.Node("Mul", [emit, run]), "word_axis"], null, OnnxGraph.Int("keepdims", 1));
        var duration = graph.Node("Add", [wordRun, graph.Node("Mul", [graph.Node("Sub", [one, emitted]), silence])]);
        var distance = graph.Node("Sub", [duration, graph.Constant("durations", Enumerable.Range(0, Durations).Select(d => (float)d).ToArray(), 1, Durations, 1)]);
        var durationScores = graph.Node("Neg", [graph.Node("Mul", [distance, distance])]);

        var scores = graph.Node("Concat", [tokenScores, durationScores], null, OnnxGraph.Int("axis", 1));
        graph.Node("Reshape", [scores, graph.Constant("score_shape", [0L, 1L, 1L, Vocabulary + Durations], 4)], "outputs");
        graph.Output("outputs", TensorProto.Types.DataType.Float, "N", 1, 1, Vocabulary + Durations);
        return graph.ToModel(new Dictionary<string, string>());
    }

    /// <summary>The encoder's metadata, as sherpa-onnx writes it (vocab_size leaves the blank out).</summary>
    private static Dictionary<string, string> Metadata() => new()
    {
        ["vocab_size"] = Words.ToString(CultureInfo.InvariantCulture),
        ["normalize_type"] = "per_feature",
        ["pred_rnn_layers"] = PredictionLayers.ToString(CultureInfo.InvariantCulture),
        ["pred_hidden"] = PredictionHidden.ToString(CultureInfo.InvariantCulture),
        ["subsampling_factor"] = ToneCtcModel.SubsamplingFactor.ToString(CultureInfo.InvariantCulture),
        ["feat_dim"] = Features.ToString(CultureInfo.InvariantCulture),
        ["model_type"] = "EncDecRNNTBPEModel",
    };

    /// <summary>[F, W], row-major: column k averages word k's core bins.</summary>
    private static float[] CoreBinMeans()
    {
        var weights = new float[Features * Words];
        for (var k = 0; k < Words; k++)
        {
            var core = ToneResponse.CoreBins(ToneLanguage.WordFrequency(k), Features);
            foreach (var m in core)
            {
                weights[(m * Words) + k] = 1f / core.Length;
            }
        }

        return weights;
    }

    private static string ToFloat(OnnxGraph graph, string value)
        => graph.Node("Cast", [value], null, OnnxGraph.Int("to", (long)TensorProto.Types.DataType.Float));

    /// <summary>x[t + j] along the time axis of [N, T', C], zeros past the end.</summary>
    private static string Ahead(OnnxGraph graph, string x, int j)
    {
        var padded = graph.Node("Pad", [x, graph.Constant($"pad_ahead_{x}_{j}", [0L, 0L, 0L, 0L, j, 0L], 6)]);
        return graph.Node("Slice", [padded, graph.Constant($"from_{x}_{j}", [(long)j], 1), graph.Constant($"to_{x}_{j}", [long.MaxValue], 1), graph.Constant($"time_{x}_{j}", [1L], 1)]);
    }

    /// <summary>x[t − 1] along the time axis of [N, T', C], zero at the start.</summary>
    private static string Previous(OnnxGraph graph, string x)
    {
        var padded = graph.Node("Pad", [x, graph.Constant($"pad_behind_{x}", [0L, 1L, 0L, 0L, 0L, 0L], 6)]);
        return graph.Node("Slice", [padded, graph.Constant($"from_{x}", [0L], 1), graph.Constant($"to_{x}", [-1L], 1), graph.Constant($"time_{x}", [1L], 1)]);
    }

    /// <summary>1 + c1 + c1·c2 + … up to <see cref="MaxDuration"/>: frames until the first c_j that is 0.</summary>
    private static string Run(OnnxGraph graph, string one, Func<int, string> continues)
    {
        var total = one;
        var product = one;
        for (var j = 1; j < MaxDuration; j++)
        {
            product = graph.Node("Mul", [product, continues(j)]);
            total = graph.Node("Add", [total, product]);
        }

        return total;
    }

    private static string Channels(OnnxGraph graph, string x, long axis, int from, int to) => graph.Node("Slice", [
        x,
        graph.Constant($"from_{x}_{axis}_{from}", [(long)from], 1),
        graph.Constant($"to_{x}_{axis}_{to}", [(long)to], 1),
        graph.Constant($"axis_{x}_{axis}_{from}", [axis], 1)]);

    private static string Layer(OnnxGraph graph, string state, int layer) => Channels(graph, state, 0, layer, layer + 1);
}
