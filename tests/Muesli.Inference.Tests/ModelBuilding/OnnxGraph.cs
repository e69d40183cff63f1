using Google.Protobuf;
using Onnx;

namespace Muesli.Inference.Tests.ModelBuilding;

/// <summary>Builds small ONNX models (opset 17, IR version 8) for tests.</summary>
internal sealed class OnnxGraph
{
    private readonly GraphProto graph = new() { Name = "test" };
    private readonly Dictionary<string, string> metadata = [];

    /// <summary>A dimension is an int (fixed) or a string (a named dynamic axis).</summary>
    public OnnxGraph Input(string name, TensorProto.Types.DataType type, params object[] shape)
    {
        graph.Input.Add(ValueInfo(name, type, shape));
        return this;
    }

    public OnnxGraph Output(string name, TensorProto.Types.DataType type, params object[] shape)
    {
        graph.Output.Add(ValueInfo(name, type, shape));
        return this;
    }

    public OnnxGraph Node(string op, string[] inputs, string output, params AttributeProto[] attributes)
    {
        var node = new NodeProto { OpType = op, Name = $"{op}_{graph.Node.Count}" };
        node.Input.AddRange(inputs);
        node.Output.Add(output);
        node.Attribute.AddRange(attributes);
        graph.Node.Add(node);
        return this;
    }

    public OnnxGraph Floats(string name, long[] dims, float[] values)
    {
        var tensor = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float };
        tensor.Dims.AddRange(dims);
        tensor.FloatData.AddRange(values);
        graph.Initializer.Add(tensor);
        return this;
    }

    public OnnxGraph Longs(string name, long[] dims, long[] values)
    {
        var tensor = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Int64 };
        tensor.Dims.AddRange(dims);
        tensor.Int64Data.AddRange(values);
        graph.Initializer.Add(tensor);
        return this;
    }

    public OnnxGraph Metadata(string key, string value)
    {
        metadata[key] = value;
        return this;
    }

    public static AttributeProto Int(string name, long value)
        => new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    public static AttributeProto Ints(string name, params long[] values)
    {
        var attribute = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        attribute.Ints.AddRange(values);
        return attribute;
    }

    public byte[] ToBytes()
    {
        var model = new ModelProto { IrVersion = 8, Graph = graph, ProducerName = "muesli-tests" };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = string.Empty, Version = 17 });
        foreach (var (key, value) in metadata)
        {
            model.MetadataProps.Add(new StringStringEntryProto { Key = key, Value = value });
        }

        return model.ToByteArray();
    }

    public string WriteTo(string path)
    {
        File.WriteAllBytes(path, ToBytes());
        return path;
    }

    private static ValueInfoProto ValueInfo(string name, TensorProto.Types.DataType type, object[] shape)
    {
        var tensorShape = new TensorShapeProto();
        foreach (var dim in shape)
        {
            tensorShape.Dim.Add(dim switch
            {
                int value => new TensorShapeProto.Types.Dimension { DimValue = value },
                string param => new TensorShapeProto.Types.Dimension { DimParam = param },
                _ => throw new ArgumentException($"dimension {dim} is neither int nor string"),
            });
        }

        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)type, Shape = tensorShape } },
        };
    }
}
