using System.Globalization;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Muesli.Inference.Diarization;

/// <summary>Checks of a session's tensors and metadata at load, with errors that name the file, the tensor, what was expected and what was found.</summary>
internal static class ModelSignature
{
    public static NodeMetadata RequireTensor(
        string source, IReadOnlyDictionary<string, NodeMetadata> nodes, string name, string kind, string expected, int rank)
    {
        if (!nodes.TryGetValue(name, out var node))
        {
            throw new InvalidDataException($"{source} has no {kind} named '{name}' ({kind}s: {string.Join(", ", nodes.Keys)})");
        }

        if (!node.IsTensor || node.ElementDataType != TensorElementType.Float || node.Dimensions.Length != rank)
        {
            throw new InvalidDataException($"{source}: {kind} '{name}' should be {expected}, found {Describe(node)}");
        }

        return node;
    }

    public static string Describe(NodeMetadata node) => node.IsTensor
        ? $"{node.ElementDataType} [{string.Join(", ", node.Dimensions.Select(d => d < 0 ? "?" : d.ToString(CultureInfo.InvariantCulture)))}]"
        : node.OnnxValueType.ToString();

    /// <summary>The positive integer under <paramref name="key"/>, or null when the model does not say.</summary>
    public static int? ReadPositive(string source, IReadOnlyDictionary<string, string> metadata, string key)
    {
        if (!metadata.TryGetValue(key, out var text))
        {
            return null;
        }

        return int.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value > 0
            ? value
            : throw new InvalidDataException($"{source}: metadata {key} should be a positive integer, found '{text}'");
    }

    /// <summary>Fails when the metadata gives a sample rate other than 16 kHz, the only rate the pipeline feeds.</summary>
    public static void RequireSampleRate(string source, IReadOnlyDictionary<string, string> metadata, int sampleRate)
    {
        if (ReadPositive(source, metadata, "sample_rate") is { } rate && rate != sampleRate)
        {
            throw new InvalidDataException($"{source}: metadata sample_rate is {rate}, the pipeline feeds {sampleRate} Hz");
        }
    }

    /// <summary>A fixed size on an axis must be <paramref name="expected"/>; a dynamic one (−1) passes.</summary>
    public static void RequireAxis(string source, string kind, string name, NodeMetadata node, int axis, int expected, string meaning)
    {
        var size = node.Dimensions[axis];
        if (size > 0 && size != expected)
        {
            throw new InvalidDataException(
                $"{source}: {kind} '{name}' has {size} {meaning} (axis {axis} of {Describe(node)}), expected {expected}");
        }
    }
}
