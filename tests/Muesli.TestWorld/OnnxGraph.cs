using Google.Protobuf;
using Onnx;

namespace Muesli.TestWorld;

/// <summary>
/// A thin builder over the ONNX protobuf classes: typed inputs and outputs with named dynamic axes, constant
/// initializers and operator nodes, then a model of the opset and IR version ONNX Runtime 1.31 runs everywhere.
/// </summary>
internal sealed class OnnxGraph(string name)
{
    public const long OpsetVersion = 17;
    public const long IrVersion = 8;

    private readonly GraphProto graph = new() { Name = name };
    private int nodes;

    /// <summary>A dimension: a number is fixed, a string names a dynamic axis, <see cref="Unnamed"/> is a dynamic axis without a name.</summary>
    public readonly record struct Dim(long? Value, string? Parameter)
    {
        /// <summary>A dynamic axis with neither size nor name, as exporters such as spox write them.</summary>
        public static readonly Dim Unnamed = new(null, null);

        public static implicit operator Dim(long value) => new(value, null);

        public static implicit operator Dim(string parameter) => new(null, parameter);
    }

    public string Input(string name, TensorProto.Types.DataType type, params Dim[] shape)
    {
        graph.Input.Add(ValueInfo(name, type, shape));
        return name;
    }

    public void Output(string name, TensorProto.Types.DataType type, params Dim[] shape)
        => graph.Output.Add(ValueInfo(name, type, shape));

    public string Constant(string name, float[] values, params long[] dims)
    {
        var tensor = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float };
        tensor.Dims.AddRange(dims);
        var bytes = new byte[values.Length * sizeof(float)];
        Buffer.BlockCopy(values, 0, bytes, 0, bytes.Length);
        tensor.RawData = ByteString.CopyFrom(bytes);
        graph.Initializer.Add(tensor);
        return name;
    }

    public string Constant(string name, long[] values, params long[] dims)
    {
        var tensor = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Int64 };
        tensor.Dims.AddRange(dims);
        tensor.Int64Data.AddRange(values);
        graph.Initializer.Add(tensor);
        return name;
    }

    /// <summary>Adds a node; its output takes <paramref name="output"/> or a fresh name. Returns the output's name.</summary>
    public string Node(string opType, string[] inputs, string? output = null, params AttributeProto[] attributes)
    {
        var node = new NodeProto { OpType = opType, Name = $"{opType}_{nodes++}" };
        node.Input.AddRange(inputs);
        var result = output ?? $"{node.Name}_out";
        node.Output.Add(result);
        node.Attribute.AddRange(attributes);
        graph.Node.Add(node);
        return result;
    }

    public static AttributeProto Ints(string name, params long[] values)
    {
        var attribute = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        attribute.Ints.AddRange(values);
        return attribute;
    }

    public static AttributeProto Int(string name, long value)
        => new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    public ModelProto ToModel(IReadOnlyDictionary<string, string> metadata)
    {
        var model = new ModelProto
        {
            IrVersion = IrVersion,
            ProducerName = "Muesli.TestWorld",
            Graph = graph,
        };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = string.Empty, Version = OpsetVersion });
        foreach (var (key, value) in metadata)
        {
            model.MetadataProps.Add(new StringStringEntryProto { Key = key, Value = value });
        }

        return model;
    }

    private static ValueInfoProto ValueInfo(string name, TensorProto.Types.DataType type, Dim[] shape)
    {
        var tensorShape = new TensorShapeProto();
        foreach (var dim in shape)
        {
            tensorShape.Dim.Add(dim switch
            {
                { Value: { } value } => new TensorShapeProto.Types.Dimension { DimValue = value },
                { Parameter: { } parameter } => new TensorShapeProto.Types.Dimension { DimParam = parameter },
                _ => new TensorShapeProto.Types.Dimension(),
            });
        }

        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)type, Shape = tensorShape } },
        };
    }
}
