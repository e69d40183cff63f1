using Muesli.Inference.Tests.ModelBuilding;
using Onnx;

namespace Muesli.Inference.Tests.Vad;

/// <summary>Small models with Silero v5's signature whose answers reveal what the detector fed them.</summary>
internal static class ScriptedSileroModel
{
    private const TensorProto.Types.DataType F32 = TensorProto.Types.DataType.Float;
    private const TensorProto.Types.DataType I64 = TensorProto.Types.DataType.Int64;

    /// <summary>Answers the sum of the 64 context samples in front of the chunk; passes the state through.</summary>
    public static OnnxGraph ContextSum() => Signature()
        .Longs("zero", [1], [0])
        .Longs("context", [1], [64])
        .Longs("time_axis", [1], [1])
        .Node("Slice", ["input", "zero", "context", "time_axis"], "context_samples")
        .Node("ReduceSum", ["context_samples", "time_axis"], "output", OnnxGraph.Int("keepdims", 1))
        .Node("Identity", ["state"], "stateN");

    /// <summary>Adds one to every state value per chunk and answers state[0, b, 0] as it came in: the chunk's index.</summary>
    public static OnnxGraph ChunkCounter() => Signature()
        .Floats("one", [1], [1f])
        .Longs("starts", [2], [0, 0])
        .Longs("ends", [2], [1, 1])
        .Longs("axes", [2], [0, 2])
        .Longs("first_axis", [1], [0])
        .Node("Add", ["state", "one"], "stateN")
        .Node("Slice", ["state", "starts", "ends", "axes"], "first_value")
        .Node("Squeeze", ["first_value", "first_axis"], "output");

    /// <summary>A model that runs but whose signature may differ from Silero's in one named respect.</summary>
    public static OnnxGraph Misshapen(
        string audioInput = "input",
        object[]? stateShape = null,
        TensorProto.Types.DataType sampleRateType = I64,
        string stateOutput = "stateN") => Signature(audioInput, stateShape, sampleRateType, stateOutput)
        .Longs("zero", [1], [0])
        .Longs("one", [1], [1])
        .Longs("time_axis", [1], [1])
        .Node("Slice", [audioInput, "zero", "one", "time_axis"], "output")
        .Node("Identity", ["state"], stateOutput);

    private static OnnxGraph Signature(
        string audioInput = "input",
        object[]? stateShape = null,
        TensorProto.Types.DataType sampleRateType = I64,
        string stateOutput = "stateN") => new OnnxGraph()
        .Input(audioInput, F32, "B", "T")
        .Input("state", F32, stateShape ?? [2, "B", 128])
        .Input("sr", sampleRateType)
        .Output("output", F32, "B", 1)
        .Output(stateOutput, F32, stateShape ?? [2, "B", 128]);
}
