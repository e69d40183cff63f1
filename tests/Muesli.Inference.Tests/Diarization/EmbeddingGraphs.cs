using Muesli.Inference.Tests.ModelBuilding;
using Onnx;

namespace Muesli.Inference.Tests.Diarization;

/// <summary>Speaker-embedding-shaped models for tests: the embedding of a clip is its first fbank frame.</summary>
internal static class EmbeddingGraphs
{
    public static OnnxGraph FirstFrame(
        string input = "feats",
        string output = "embs",
        object? batch = null,
        object? time = null,
        int features = 80,
        object? dimension = null,
        bool dynamicDimension = false,
        IReadOnlyDictionary<string, string>? metadata = null)
    {
        var graph = new OnnxGraph()
            .Input(input, TensorProto.Types.DataType.Float, batch ?? "B", time ?? "T", features)
            .Longs("first", [], [0])
            .Node("Gather", [input, "first"], dynamicDimension ? "frame" : output, OnnxGraph.Int("axis", 1));
        if (dynamicDimension)
        {
            // A shape computed at run time (Mul is beyond shape inference) leaves the embedding axis unknown at load.
            graph.Longs("ones", [2], [1, 1])
                .Node("Shape", ["frame"], "frame_shape")
                .Node("Mul", ["frame_shape", "ones"], "run_time_shape")
                .Node("Reshape", ["frame", "run_time_shape"], output);
        }

        graph.Output(output, TensorProto.Types.DataType.Float, batch ?? "B", dimension ?? (dynamicDimension ? "D" : features));
        foreach (var (key, value) in metadata ?? new Dictionary<string, string>())
        {
            graph.Metadata(key, value);
        }

        return graph;
    }
}
