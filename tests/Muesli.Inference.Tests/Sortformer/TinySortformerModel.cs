using Muesli.Inference.Tests.ModelBuilding;
using Onnx;

namespace Muesli.Inference.Tests.Sortformer;

/// <summary>
/// A model with the streaming Sortformer export's inputs, outputs and shapes whose answers are known: the chunk's
/// "pre-encoded embeddings" are its features averaged over each 8 frames (ceil(T/8) frames, as the real subsampling
/// makes) and zero-padded to 512; speakers 0 and 1 read two mel bins of every embedding in [spkcache, fifo, chunk]
/// (optionally through a sigmoid); speakers 2 and 3 read two of the length inputs, divided by 1000.
/// </summary>
internal static class TinySortformerModel
{
    public const int Features = 128;
    public const int EmbeddingSize = 512;

    private const TensorProto.Types.DataType F32 = TensorProto.Types.DataType.Float;
    private const TensorProto.Types.DataType I64 = TensorProto.Types.DataType.Int64;

    public static OnnxGraph Graph(
        int speaker0Bin = 0,
        int speaker1Bin = 1,
        bool sigmoid = false,
        string speaker2Length = "fifo_lengths",
        string speaker3Length = "spkcache_lengths",
        int subsampling = 8,
        object? speakers = null)
    {
        var graph = Signature(speakers: speakers)
            .Longs("pads", [6], [0, 0, 0, 0, 0, EmbeddingSize - Features])
            .Longs("round_up", [1], [subsampling - 1])
            .Longs("subsampling", [1], [subsampling])
            .Longs("bin0_start", [1], [speaker0Bin])
            .Longs("bin0_end", [1], [speaker0Bin + 1])
            .Longs("bin1_start", [1], [speaker1Bin])
            .Longs("bin1_end", [1], [speaker1Bin + 1])
            .Longs("last_axis", [1], [2])
            .Longs("broadcast_axes", [2], [1, 2])
            .Floats("zero", [1], [0f])
            .Floats("thousand", [1], [1000f])
            .Node("Transpose", ["chunk"], "chunk_by_feature", OnnxGraph.Ints("perm", 0, 2, 1))
            .Node(
                "AveragePool",
                ["chunk_by_feature"],
                "pooled",
                OnnxGraph.Ints("kernel_shape", subsampling),
                OnnxGraph.Ints("strides", subsampling),
                OnnxGraph.Int("ceil_mode", 1))
            .Node("Transpose", ["pooled"], "pooled_by_time", OnnxGraph.Ints("perm", 0, 2, 1))
            .Node("Pad", ["pooled_by_time", "pads"], "chunk_pre_encode_embs")
            .Node("Add", ["chunk_lengths", "round_up"], "lengths_rounded_up")
            .Node("Div", ["lengths_rounded_up", "subsampling"], "chunk_pre_encode_lengths")
            .Node("Concat", ["spkcache", "fifo", "chunk_pre_encode_embs"], "sequence", OnnxGraph.Int("axis", 1))
            .Node("Slice", ["sequence", "bin0_start", "bin0_end", "last_axis"], "bin0")
            .Node("Slice", ["sequence", "bin1_start", "bin1_end", "last_axis"], "bin1")
            .Node(sigmoid ? "Sigmoid" : "Identity", ["bin0"], "speaker0")
            .Node(sigmoid ? "Sigmoid" : "Identity", ["bin1"], "speaker1")
            .Node("Mul", ["bin0", "zero"], "zeros");
        LengthColumn(graph, speaker2Length, "speaker2");
        LengthColumn(graph, speaker3Length, "speaker3");
        return graph.Node("Concat", ["speaker0", "speaker1", "speaker2", "speaker3"], "spkcache_fifo_chunk_preds", OnnxGraph.Int("axis", 2));
    }

    /// <summary>A model that loads and runs but whose signature may differ from the export's in one named respect.</summary>
    public static OnnxGraph Passthrough(
        string chunkInput = "chunk",
        object[]? chunkShape = null,
        object? cacheWidth = null,
        object? speakers = null,
        TensorProto.Types.DataType fifoLengthsType = I64) => Signature(chunkInput, chunkShape, cacheWidth, speakers, fifoLengthsType)
        .Longs("first", [1], [0])
        .Longs("speaker_count", [1], [4])
        .Longs("last_axis", [1], [2])
        // A speaker count read from an input keeps the axis dynamic through shape inference.
        .Node("Slice", ["fifo", "first", speakers is string ? "chunk_lengths" : "speaker_count", "last_axis"], "spkcache_fifo_chunk_preds")
        .Node("Identity", ["fifo"], "chunk_pre_encode_embs")
        .Node("Identity", ["chunk_lengths"], "chunk_pre_encode_lengths");

    /// <summary>The export's inputs and outputs, with the names, types and shapes given (or the real ones).</summary>
    private static OnnxGraph Signature(
        string chunkInput = "chunk",
        object[]? chunkShape = null,
        object? cacheWidth = null,
        object? speakers = null,
        TensorProto.Types.DataType fifoLengthsType = I64) => new OnnxGraph()
        .Input(chunkInput, F32, chunkShape ?? ["batch", "time_chunk", Features])
        .Input("chunk_lengths", I64, "batch")
        .Input("spkcache", F32, "batch", "time_cache", cacheWidth ?? EmbeddingSize)
        .Input("spkcache_lengths", I64, "batch")
        .Input("fifo", F32, "batch", "time_fifo", EmbeddingSize)
        .Input("fifo_lengths", fifoLengthsType, "batch")
        .Output("spkcache_fifo_chunk_preds", F32, "batch", "time_out", speakers ?? 4)
        .Output("chunk_pre_encode_embs", F32, "batch", "time_pre_encode", EmbeddingSize)
        .Output("chunk_pre_encode_lengths", I64, "batch");

    private static void LengthColumn(OnnxGraph graph, string lengthInput, string output) => graph
        .Node("Cast", [lengthInput], output + "_length", OnnxGraph.Int("to", (long)F32))
        .Node("Div", [output + "_length", "thousand"], output + "_scaled")
        .Node("Unsqueeze", [output + "_scaled", "broadcast_axes"], output + "_column")
        .Node("Add", ["zeros", output + "_column"], output);
}
