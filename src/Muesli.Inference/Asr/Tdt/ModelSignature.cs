using System.Globalization;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Muesli.Inference.Asr.Tdt;

/// <summary>Checks one ONNX file's inputs, outputs and metadata; every error names the file, the tensor, what was expected and what was found.</summary>
internal sealed class ModelSignature(InferenceSession session, string source)
{
    public string Source { get; } = source;

    public IReadOnlyDictionary<string, string> Metadata => session.ModelMetadata.CustomMetadataMap;

    public NodeMetadata Input(string name, TensorElementType type, string expected, int rank)
        => Require(session.InputMetadata, name, "input", type, expected, rank);

    public NodeMetadata Output(string name, TensorElementType type, string expected, int rank)
        => Require(session.OutputMetadata, name, "output", type, expected, rank);

    /// <summary>The input at <paramref name="position"/>, whatever its name.</summary>
    public (string Name, NodeMetadata Node) InputAt(int position, TensorElementType type, string role, string expected, int rank)
        => RequireAt(session.InputNames, session.InputMetadata, position, "input", type, role, expected, rank);

    /// <summary>The output at <paramref name="position"/>, whatever its name.</summary>
    public (string Name, NodeMetadata Node) OutputAt(int position, TensorElementType type, string role, string expected, int rank)
        => RequireAt(session.OutputNames, session.OutputMetadata, position, "output", type, role, expected, rank);

    /// <summary>Requires a fixed axis to be <paramref name="expected"/>; a dynamic axis passes.</summary>
    public void Axis(NodeMetadata node, string kind, string name, int axis, string meaning, long expected)
    {
        var found = node.Dimensions[axis];
        if (found > 0 && found != expected)
        {
            throw new InvalidDataException(
                $"{Source}: {kind} '{name}' has {found} {meaning} (axis {axis}), expected {expected} ({Describe(node)})");
        }
    }

    /// <summary>A positive integer metadata value, or null when the key is absent.</summary>
    public int? PositiveMetadata(string key)
    {
        if (!Metadata.TryGetValue(key, out var text))
        {
            return null;
        }

        return int.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value > 0
            ? value
            : throw new InvalidDataException($"{Source}: metadata {key} should be a positive integer, found '{text}'");
    }

    public static string Describe(NodeMetadata node) => node.IsTensor
        ? $"{node.ElementDataType} [{string.Join(", ", node.Dimensions.Select(d => d < 0 ? "?" : d.ToString(CultureInfo.InvariantCulture)))}]"
        : node.OnnxValueType.ToString();

    private NodeMetadata Require(
        IReadOnlyDictionary<string, NodeMetadata> nodes, string name, string kind, TensorElementType type, string expected, int rank)
    {
        if (!nodes.TryGetValue(name, out var node))
        {
            throw new InvalidDataException($"{Source} has no {kind} named '{name}' ({kind}s: {string.Join(", ", nodes.Keys)})");
        }

        return Check(node, $"{kind} '{name}'", type, expected, rank);
    }

    private (string Name, NodeMetadata Node) RequireAt(
        IReadOnlyList<string> names,
        IReadOnlyDictionary<string, NodeMetadata> nodes,
        int position,
        string kind,
        TensorElementType type,
        string role,
        string expected,
        int rank)
    {
        if (position >= names.Count)
        {
            throw new InvalidDataException(
                $"{Source} has {names.Count} {kind}s ({string.Join(", ", names)}), expected the {role} as {kind} {position}");
        }

        var name = names[position];
        return (name, Check(nodes[name], $"{kind} {position} '{name}' ({role})", type, expected, rank));
    }

    private NodeMetadata Check(NodeMetadata node, string what, TensorElementType type, string expected, int rank)
    {
        if (!node.IsTensor || node.ElementDataType != type || node.Dimensions.Length != rank)
        {
            throw new InvalidDataException($"{Source}: {what} should be {expected}, found {Describe(node)}");
        }

        return node;
    }
}
