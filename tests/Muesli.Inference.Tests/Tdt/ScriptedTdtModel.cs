using Muesli.Inference.Tests.ModelBuilding;
using Muesli.Inference.Tests.Support;
using Onnx;

namespace Muesli.Inference.Tests.Tdt;

/// <summary>
/// A Parakeet TDT-shaped trio of ONNX models (sherpa-onnx signature) whose joiner follows a script. The encoder emits
/// T' = (length − 1) / 8 + 1 frames whose channel 0 is the frame's index; the decoder keeps the number of tokens
/// emitted so far in its LSTM states (state 0 counts by one, state 1 by two, and its output recombines them, so a
/// state that is dropped, zeroed or swapped shows); the joiner answers from a table indexed by (count, frame).
/// Unscripted cells answer blank with duration 1.
/// </summary>
internal sealed record ScriptedTdtModel
{
    public const int Blank = 6;
    public const int MaxFrames = 40;
    public const int MaxCount = 16;
    public const int Dimension = 4;
    public const int Hidden = 3;
    public const int Layers = 2;

    public static readonly string[] Tokens = ["<unk> 0", "▁he 1", "llo 2", "▁wor 3", "ld 4", "▁a 5", "<blk> 6"];

    /// <summary>After <paramref name="Count"/> tokens, at <paramref name="Frame"/>: best token and best duration index.</summary>
    public readonly record struct Step(int Count, int Frame, int Token, int DurationIndex);

    /// <summary>"hello" from frame 1 (▁he with duration 0, then llo with duration 2), a blank skipping 3, "world" from
    /// frame 6 (▁wor for 1, ld for 4), a blank of duration 0 at frame 11.</summary>
    public static readonly Step[] HelloWorld =
    [
        new(0, 1, 1, 0), new(1, 1, 2, 2), new(2, 3, Blank, 3), new(2, 6, 3, 1), new(3, 7, 4, 4), new(4, 11, Blank, 0),
    ];

    public IReadOnlyList<Step> Script { get; init; } = HelloWorld;

    public object Features { get; init; } = 80;

    public string FeaturesInput { get; init; } = "audio_signal";

    public object EncoderDimension { get; init; } = Dimension;

    public string TargetsInput { get; init; } = "targets";

    public TensorProto.Types.DataType TargetsType { get; init; } = TensorProto.Types.DataType.Int32;

    /// <summary>Auto-generated-looking names, as the real export has: the engine binds the states by position.</summary>
    public IReadOnlyList<string> StateInputs { get; init; } = ["onnx::LSTM_2", "onnx::LSTM_3"];

    public IReadOnlyList<string> StateOutputs { get; init; } = ["state.7", "state.11"];

    public object StateHidden { get; init; } = Hidden;

    public string JoinerEncoderInput { get; init; } = "encoder_outputs";

    public object JoinerEncoderDimension { get; init; } = Dimension;

    /// <summary>Token scores of the joiner (the blank included); 5 duration scores follow them.</summary>
    public int TokenScores { get; init; } = 7;

    /// <summary>The joiner's declared last axis: a number, or a name for a dynamic axis.</summary>
    public object? DeclaredScores { get; init; }

    public IReadOnlyDictionary<string, string> Metadata { get; init; } = new Dictionary<string, string>
    {
        ["vocab_size"] = "6",
        ["normalize_type"] = "per_feature",
        ["pred_rnn_layers"] = "2",
        ["pred_hidden"] = "3",
        ["subsampling_factor"] = "8",
        ["feat_dim"] = "80",
        ["model_type"] = "EncDecRNNTBPEModel",
    };

    public ScriptedTdtModel WithMetadata(string key, string value)
        => this with { Metadata = new Dictionary<string, string>(Metadata) { [key] = value } };

    public ScriptedTdtModel WithoutMetadata(string key)
    {
        var metadata = new Dictionary<string, string>(Metadata);
        metadata.Remove(key);
        return this with { Metadata = metadata };
    }

    /// <summary>A temporary folder with the encoder, decoder, joiner and tokens, deleted on dispose.</summary>
    public ModelFolder Write(IEnumerable<string>? tokens = null)
    {
        var folder = new ModelFolder();
        Encoder().WriteTo(folder.EncoderPath);
        Decoder().WriteTo(folder.DecoderPath);
        Joiner().WriteTo(folder.JoinerPath);
        File.WriteAllLines(folder.TokensPath, tokens ?? Tokens);
        return folder;
    }

    public OnnxGraph Encoder()
    {
        var dimension = EncoderDimension is int d ? d : Dimension;
        var frames = new float[dimension * MaxFrames];
        for (var t = 0; t < MaxFrames; t++)
        {
            frames[t] = t;
        }

        var graph = new OnnxGraph()
            .Input(FeaturesInput, TensorProto.Types.DataType.Float, "N", Features, "T")
            .Input("length", TensorProto.Types.DataType.Int64, "N")
            .Floats("frame_index", [1, dimension, MaxFrames], frames)
            .Longs("one", [1], [1])
            .Longs("eight", [1], [8])
            .Longs("start", [1], [0])
            .Longs("time_axis", [1], [2])
            .Floats("zero", [1], [0f])
            .Node("Sub", ["length", "one"], "length_minus_one")
            .Node("Div", ["length_minus_one", "eight"], "subsampled")
            .Node("Add", ["subsampled", "one"], "encoded_lengths")
            .Node("Slice", ["frame_index", "start", "encoded_lengths", "time_axis"], "indexed")
            .Node("ReduceSum", [FeaturesInput], "feature_sum", OnnxGraph.Int("keepdims", 0))
            .Node("Mul", ["feature_sum", "zero"], "nothing")
            .Node("Add", ["indexed", "nothing"], "outputs")
            .Output("outputs", TensorProto.Types.DataType.Float, "N", EncoderDimension, "T_out")
            .Output("encoded_lengths", TensorProto.Types.DataType.Int64, "N");
        foreach (var (key, value) in Metadata)
        {
            graph.Metadata(key, value);
        }

        return graph;
    }

    public OnnxGraph Decoder()
    {
        var unit = new float[Layers * Hidden];
        unit[0] = 1f;
        var graph = new OnnxGraph()
            .Input(TargetsInput, TargetsType, "N", 1)
            .Input("target_length", TensorProto.Types.DataType.Int32, "N");
        foreach (var state in StateInputs)
        {
            graph.Input(state, TensorProto.Types.DataType.Float, Layers, "N", StateHidden);
        }

        graph
            .Floats("unit", [Layers, 1, Hidden], unit)
            .Floats("blank_id", [1], [Blank])
            .Floats("two", [1], [2f])
            .Floats("half", [1], [0.5f])
            .Longs("column", [3], [1, -1, 1])
            .Longs("start", [1], [0])
            .Longs("one", [1], [1])
            .Node("Cast", [TargetsInput], "target", OnnxGraph.Int("to", (long)TensorProto.Types.DataType.Float))
            .Node("Equal", ["target", "blank_id"], "is_blank")
            .Node("Not", ["is_blank"], "is_token")
            .Node("Cast", ["is_token"], "token_count", OnnxGraph.Int("to", (long)TensorProto.Types.DataType.Float))
            .Node("Reshape", ["token_count", "column"], "token_column")
            .Node("Mul", ["token_column", "unit"], "increment")
            .Node("Add", [StateInputs[0], "increment"], StateOutputs[0])
            .Node("Mul", ["increment", "two"], "double_increment")
            .Node("Add", [StateInputs.Count > 1 ? StateInputs[1] : StateInputs[0], "double_increment"], StateOutputs[1])
            .Node("Mul", [StateOutputs[1], "half"], "halved")
            .Node("Add", [StateOutputs[0], "halved"], "doubled_count")
            .Node("Mul", ["doubled_count", "half"], "count")
            .Node("Slice", ["count", "start", "one", "start"], "first_layer")
            .Node("Transpose", ["first_layer"], "outputs", OnnxGraph.Ints("perm", 1, 2, 0))
            .Node("Identity", ["target_length"], "prednet_lengths")
            .Output("outputs", TensorProto.Types.DataType.Float, "N", StateHidden, 1)
            .Output("prednet_lengths", TensorProto.Types.DataType.Int32, "N");
        foreach (var state in StateOutputs)
        {
            graph.Output(state, TensorProto.Types.DataType.Float, Layers, "N", StateHidden);
        }

        return graph;
    }

    public OnnxGraph Joiner()
    {
        var width = TokenScores + 5;
        var table = new float[MaxCount * MaxFrames * width];
        for (var cell = 0; cell < MaxCount * MaxFrames; cell++)
        {
            Answer(table.AsSpan(cell * width, width), TokenScores - 1, 1);
        }

        foreach (var step in Script)
        {
            Answer(table.AsSpan(((step.Count * MaxFrames) + step.Frame) * width, width), step.Token, step.DurationIndex);
        }

        return new OnnxGraph()
            .Input(JoinerEncoderInput, TensorProto.Types.DataType.Float, "N", JoinerEncoderDimension, 1)
            .Input("decoder_outputs", TensorProto.Types.DataType.Float, "N", Hidden, 1)
            .Floats("table", [MaxCount * MaxFrames, width], table)
            .Floats("max_frames", [1], [MaxFrames])
            .Longs("start", [1], [0])
            .Longs("one", [1], [1])
            .Node("Slice", [JoinerEncoderInput, "start", "one", "one"], "frame")
            .Node("Slice", ["decoder_outputs", "start", "one", "one"], "count")
            .Node("Mul", ["count", "max_frames"], "row_start")
            .Node("Add", ["row_start", "frame"], "row")
            .Node("Cast", ["row"], "row_index", OnnxGraph.Int("to", (long)TensorProto.Types.DataType.Int64))
            .Node("Gather", ["table", "row_index"], "outputs", OnnxGraph.Int("axis", 0))
            .Output("outputs", TensorProto.Types.DataType.Float, "N", 1, 1, DeclaredScores ?? width);
    }

    private static void Answer(Span<float> row, int token, int durationIndex)
    {
        row.Clear();
        row[token] = 5f;
        row[row.Length - 5 + durationIndex] = 5f;
    }
}
