namespace Muesli.TestWorld;

/// <summary>
/// The fixed relative-position table of the FastConformer exports (Parakeet TDT, NeMo CTC), in miniature: one channel
/// of zeros per position, sliced to the sequence's length and added to its frames. A sequence no longer than the table
/// passes unchanged; a longer one gets only the table's rows and fails inside ONNX Runtime with the real export's
/// "Attempting to broadcast an axis by a dimension other than 1".
/// </summary>
internal static class PositionTable
{
    /// <summary>Encoder frames the real exports' table holds: one pass of at most about 400 s at 12.5 frames a second.</summary>
    public const int RealLength = 5000;

    /// <summary><paramref name="frames"/> [N, T', C] plus the table's first T' rows, shaped [1, T', 1].</summary>
    public static string Add(OnnxGraph graph, string frames, int positions)
    {
        var table = graph.Constant("position_table", new float[positions], 1, positions, 1);
        var length = graph.Node("Gather", [graph.Node("Shape", [frames]), graph.Constant("position_time_axis", [1L], 1)]);
        var rows = graph.Node("Slice", [table, graph.Constant("position_first", [0L], 1), length, "position_time_axis"]);
        return graph.Node("Add", [frames, rows]);
    }
}
