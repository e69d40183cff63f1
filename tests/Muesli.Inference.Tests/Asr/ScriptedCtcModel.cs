using Muesli.Inference.Tests.ModelBuilding;
using Onnx;

namespace Muesli.Inference.Tests.Asr;

/// <summary>
/// A NeMo CTC-shaped ONNX model whose log-probs follow a fixed script: encoder frame t is won by Script[t]. Like the
/// real encoder it emits T' = (length − 1) / 8 + 1 frames for <c>length</c> feature frames, and it reads its features.
/// </summary>
internal static class ScriptedCtcModel
{
    public const int Blank = 6;

    public static readonly string[] Tokens = ["<unk> 0", "▁he 1", "llo 2", "▁wor 3", "ld 4", "▁a 5", "<blk> 6"];

    // Winners of encoder frames 0..14; blank afterwards.
    public static readonly int[] Script = [Blank, 1, 1, 2, Blank, 3, 4, Blank, Blank, 5, Blank, 5, Blank, 1, 2];

    public const int ScriptFrames = 40;

    public static OnnxGraph Graph(
        object? features = null,
        string featuresInput = "audio_signal",
        string lengthInput = "length",
        object? classes = null,
        int tokenCount = 7)
    {
        var table = new float[ScriptFrames * tokenCount];
        for (var t = 0; t < ScriptFrames; t++)
        {
            var winner = t < Script.Length ? Script[t] : Blank;
            for (var c = 0; c < tokenCount; c++)
            {
                table[(t * tokenCount) + c] = c == winner ? MathF.Log(0.9f) : MathF.Log(0.1f / (tokenCount - 1));
            }
        }

        return new OnnxGraph()
            .Input(featuresInput, TensorProto.Types.DataType.Float, "N", features ?? 80, "T")
            .Input(lengthInput, TensorProto.Types.DataType.Int64, "N")
            .Floats("table", [1, ScriptFrames, tokenCount], table)
            .Longs("one", [1], [1])
            .Longs("eight", [1], [8])
            .Longs("start", [1], [0])
            .Longs("time_axis", [1], [1])
            .Floats("zero", [1], [0f])
            .Node("Sub", [lengthInput, "one"], "length_minus_one")
            .Node("Div", ["length_minus_one", "eight"], "subsampled")
            .Node("Add", ["subsampled", "one"], "frames")
            .Node("Slice", ["table", "start", "frames", "time_axis"], "scripted")
            .Node("ReduceSum", [featuresInput], "feature_sum", OnnxGraph.Int("keepdims", 0))
            .Node("Mul", ["feature_sum", "zero"], "nothing")
            .Node("Add", ["scripted", "nothing"], "logprobs")
            .Output("logprobs", TensorProto.Types.DataType.Float, "N", "T_out", classes ?? tokenCount);
    }
}
