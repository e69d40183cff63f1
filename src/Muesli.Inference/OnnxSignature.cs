using System.Globalization;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Muesli.Inference;

/// <summary>
/// Checks one ONNX file's inputs, outputs and metadata at load; every error names the file, the tensor or key, what
/// was expected and what was found. A dynamic axis (−1) passes every check of a fixed size.
/// </summary>
internal sealed class OnnxSignature(InferenceSession session, string source)
{
    /// <summary>The model file, as errors name it.</summary>
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

    /// <summary>Whether <paramref name="axis"/> is dynamic or fixed at <paramref name="expected"/>.</summary>
    public static bool Fits(NodeMetadata node, int axis, long expected) => node.Dimensions[axis] <= 0 || node.Dimensions[axis] == expected;

    /// <summary>Requires a fixed axis to be <paramref name="expected"/>; the error gives the shape after the expected size.</summary>
    public void Axis(NodeMetadata node, string kind, string name, int axis, string meaning, long expected)
    {
        if (!Fits(node, axis, expected))
        {
            throw new InvalidDataException(
                $"{Source}: {kind} '{name}' has {node.Dimensions[axis]} {meaning} (axis {axis}), expected {expected} ({Describe(node)})");
        }
    }

    /// <summary>Requires a fixed axis to be <paramref name="expected"/>; the error gives the shape beside the axis.</summary>
    public void AxisOfShape(NodeMetadata node, string kind, string name, int axis, string meaning, long expected)
    {
        if (!Fits(node, axis, expected))
        {
            throw new InvalidDataException(
                $"{Source}: {kind} '{name}' has {node.Dimensions[axis]} {meaning} (axis {axis} of {Describe(node)}), expected {expected}");
        }
    }

    /// <summary>Requires a fixed axis to be the <paramref name="expected"/> size that <paramref name="declaredBy"/> gives.</summary>
    public void AxisAsDeclared(NodeMetadata node, string kind, string name, int axis, string meaning, long expected, string declaredBy)
    {
        if (!Fits(node, axis, expected))
        {
            throw new InvalidDataException(
                $"{Source}: {kind} '{name}' has {node.Dimensions[axis]} {meaning} (axis {axis}), {declaredBy} says {expected}");
        }
    }

    /// <summary>
    /// The size of <paramref name="axis"/>: fixed in the shape, or given by the metadata <paramref name="key"/> when the
    /// axis is dynamic; when both say, they must agree. <paramref name="unknownBecause"/> ends the error when neither says.
    /// </summary>
    public int AxisSize(
        NodeMetadata node, string kind, string name, int axis, string key, string units, string axisName, string unknownBecause = "")
    {
        var declared = PositiveMetadata(key);
        var fromShape = node.Dimensions[axis];
        if (fromShape > 0)
        {
            return declared is { } size && size != fromShape
                ? throw new InvalidDataException($"{Source}: {kind} '{name}' has {fromShape} {units}, its metadata {key} says {size}")
                : fromShape;
        }

        return declared ?? throw new InvalidDataException(
            $"{Source}: {kind} '{name}' has a dynamic {axisName} axis and no '{key}' metadata{unknownBecause}");
    }

    /// <summary>The mel bins a front end must make for <paramref name="node"/>: <see cref="AxisSize"/> of its feature axis.</summary>
    public int FeatureCount(
        NodeMetadata node, string kind, string name, int axis, string key = "feat_dim", string units = "features", string axisName = "feature")
        => AxisSize(node, kind, name, axis, key, units, axisName, ", so the front end cannot know how many mel bins to make");

    /// <summary>A positive integer metadata value, or null when the key is absent.</summary>
    public int? PositiveMetadata(string key) => IntegerMetadata(key, minimum: 1, "a positive integer");

    /// <summary>A metadata integer of zero or more, or null when the key is absent.</summary>
    public int? NonNegativeMetadata(string key) => IntegerMetadata(key, minimum: 0, "an integer, zero or more");

    /// <summary>Fails when the metadata gives a sample rate other than <paramref name="sampleRate"/>, the only rate the pipeline feeds.</summary>
    public void RequireSampleRate(int sampleRate)
    {
        if (PositiveMetadata("sample_rate") is { } rate && rate != sampleRate)
        {
            throw new InvalidDataException($"{Source}: metadata sample_rate is {rate}, the pipeline feeds {sampleRate} Hz");
        }
    }

    /// <summary>The error for a tensor that is not <paramref name="expected"/>.</summary>
    public InvalidDataException Mismatch(string kind, string name, string expected, NodeMetadata node)
        => Mismatch($"{kind} '{name}'", expected, node);

    public static string Describe(NodeMetadata node) => node.IsTensor
        ? $"{node.ElementDataType} [{string.Join(", ", node.Dimensions.Select(d => d < 0 ? "?" : d.ToString(CultureInfo.InvariantCulture)))}]"
        : node.OnnxValueType.ToString();

    private int? IntegerMetadata(string key, int minimum, string expected)
    {
        if (!Metadata.TryGetValue(key, out var text))
        {
            return null;
        }

        return int.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= minimum
            ? value
            : throw new InvalidDataException($"{Source}: metadata {key} should be {expected}, found '{text}'");
    }

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
        => node.IsTensor && node.ElementDataType == type && node.Dimensions.Length == rank
            ? node
            : throw Mismatch(what, expected, node);

    private InvalidDataException Mismatch(string what, string expected, NodeMetadata node)
        => new($"{Source}: {what} should be {expected}, found {Describe(node)}");
}
