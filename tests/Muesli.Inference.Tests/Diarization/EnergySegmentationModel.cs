using Muesli.Inference.Tests.ModelBuilding;
using Onnx;

namespace Muesli.Inference.Tests.Diarization;

/// <summary>
/// A pyannote-shaped segmentation model that hears loudness only: a frame whose receptive field (991 samples every
/// 270) has a mean power above <see cref="Threshold"/> is class 1 (local speaker 1 alone), otherwise class 0 (nobody).
/// The threshold is half the power of a tone of amplitude 0.5, so a tone is heard by the frames whose field it fills
/// at least half of.
/// Made of Mul → Conv → Transpose → MatMul → Add → LogSoftmax, so ONNX Runtime really runs it on the audio given.
/// </summary>
internal static class EnergySegmentationModel
{
    public const float Threshold = 0.0625f;

    /// <summary>The sherpa-onnx export's metadata for segmentation-3.0.</summary>
    public static readonly IReadOnlyDictionary<string, string> Metadata = new Dictionary<string, string>
    {
        ["model_type"] = "pyannote-segmentation-3.0",
        ["num_speakers"] = "3",
        ["powerset_max_classes"] = "2",
        ["num_classes"] = "7",
        ["sample_rate"] = "16000",
        ["window_size"] = "160000",
        ["receptive_field_size"] = "991",
        ["receptive_field_shift"] = "270",
    };

    public static OnnxGraph Graph(
        object? batch = null,
        object? samples = null,
        object? channels = null,
        int classes = 7,
        string input = "x",
        string output = "y",
        IReadOnlyDictionary<string, string>? metadata = null)
    {
        const float gain = 1000;
        var weights = new float[classes];
        var biases = Enumerable.Repeat(-100f, classes).ToArray();
        (weights[0], biases[0]) = (0, 0);
        (weights[1], biases[1]) = (gain, -gain * Threshold);
        var graph = new OnnxGraph()
            .Input(input, TensorProto.Types.DataType.Float, batch ?? "N", channels ?? 1, samples ?? "T")
            .Floats("field", [1, 1, 991], Enumerable.Repeat(1f / 991, 991).ToArray())
            .Floats("weights", [1, classes], weights)
            .Floats("biases", [classes], biases)
            .Node("Mul", [input, input], "power")
            .Node("Conv", ["power", "field"], "mean_power", OnnxGraph.Ints("kernel_shape", 991), OnnxGraph.Ints("strides", 270))
            .Node("Transpose", ["mean_power"], "frames", OnnxGraph.Ints("perm", 0, 2, 1))
            .Node("MatMul", ["frames", "weights"], "scaled")
            .Node("Add", ["scaled", "biases"], "logits")
            .Node("LogSoftmax", ["logits"], output, OnnxGraph.Int("axis", 2))
            .Output(output, TensorProto.Types.DataType.Float, "N", "F", classes);
        foreach (var (key, value) in metadata ?? Metadata)
        {
            graph.Metadata(key, value);
        }

        return graph;
    }

    /// <summary>The metadata with one key changed (or removed, for null).</summary>
    public static Dictionary<string, string> MetadataWith(string key, string? value)
    {
        var changed = new Dictionary<string, string>(Metadata);
        if (value is null)
        {
            changed.Remove(key);
        }
        else
        {
            changed[key] = value;
        }

        return changed;
    }
}
