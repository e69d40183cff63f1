using System.Security.Cryptography;
using Google.Protobuf;

namespace Muesli.TestWorld;

/// <summary>
/// Stand-in ONNX files padded to the size of the real exports they stand in for, so a test can measure what opening
/// the real files costs (reading and parsing hundreds of megabytes) while the stand-ins still hear the tone world.
/// The padding is one initializer no node reads, appended as a second <c>graph</c> field, which a protobuf parser
/// merges into the first; it is streamed to disk, never held in memory.
/// </summary>
public static class RealSizeStandIns
{
    /// <summary>The name of the unused initializer that pads a file.</summary>
    public const string PaddingName = "muesli_real_size_padding";

    private const int GraphField = 7;
    private const int InitializerField = 5;
    private const int DimsField = 1;
    private const int DataTypeField = 2;
    private const int NameField = 8;
    private const int RawDataField = 9;
    private const int Uint8 = 2;

    /// <summary>
    /// The real export's size of each stand-in file that gets padded, by stand-in id and file name, as
    /// <c>models/models.json</c> lists them. The CTC stand-in keeps its size: its counterpart (the 458 MB
    /// parakeet-tdt-ctc-110m-en) is no default, so no backend opens it unless asked.
    /// </summary>
    public static readonly IReadOnlyDictionary<(string StandIn, string File), RealExport> Sizes =
        new Dictionary<(string, string), RealExport>
        {
            [(ToneTdtModel.Id, "encoder.onnx")] = new("parakeet-tdt-0.6b-v3-int8", "encoder", 652184281),
            [(ToneTdtModel.Id, "decoder.onnx")] = new("parakeet-tdt-0.6b-v3-int8", "decoder", 11845275),
            [(ToneTdtModel.Id, "joiner.onnx")] = new("parakeet-tdt-0.6b-v3-int8", "joiner", 6355277),
            [(StandIns.ToneSegmentationModel.Id, "model.onnx")] = new("pyannote-segmentation-3.0", "model", 5992913),
            [(StandIns.ToneEmbeddingModel.Id, "model.onnx")] = new("wespeaker-voxceleb-resnet34-lm", "model", 26530550),
            [(StandIns.ToneVadModel.Id, "model.onnx")] = new("silero-vad-v5", "model", 2327524),
        };

    /// <summary>
    /// Writes <paramref name="model"/> (a serialized ONNX model) to <paramref name="path"/> padded to exactly
    /// <paramref name="size"/> bytes; returns the file's SHA-256 (lower-case hex).
    /// </summary>
    public static string WritePadded(string path, byte[] model, long size)
    {
        var (rawBytes, name) = Solve(model.LongLength, size);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        using (var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20))
        {
            void Put(ReadOnlySpan<byte> bytes)
            {
                file.Write(bytes);
                hash.AppendData(bytes);
            }

            Put(model);
            var tensor = TensorLength(rawBytes, name);
            var header = new MemoryStream();
            using (var coded = new CodedOutputStream(header, leaveOpen: true))
            {
                coded.WriteTag(GraphField, WireFormat.WireType.LengthDelimited);
                coded.WriteLength(checked((int)GraphLength(tensor)));
                coded.WriteTag(InitializerField, WireFormat.WireType.LengthDelimited);
                coded.WriteLength(checked((int)tensor));
                coded.WriteTag(DimsField, WireFormat.WireType.Varint);
                coded.WriteInt64(rawBytes);
                coded.WriteTag(DataTypeField, WireFormat.WireType.Varint);
                coded.WriteInt32(Uint8);
                coded.WriteTag(NameField, WireFormat.WireType.LengthDelimited);
                coded.WriteString(name);
                coded.WriteTag(RawDataField, WireFormat.WireType.LengthDelimited);
                coded.WriteLength(checked((int)rawBytes));
            }

            Put(header.ToArray());
            var zeros = new byte[1 << 20];
            for (var left = rawBytes; left > 0; left -= zeros.Length)
            {
                Put(zeros.AsSpan(0, (int)Math.Min(left, zeros.Length)));
            }
        }

        var written = new FileInfo(path).Length;
        return written == size
            ? Convert.ToHexStringLower(hash.GetHashAndReset())
            : throw new InvalidOperationException($"{path}: padded to {written} bytes, not {size}");
    }

    /// <summary>How many raw bytes, under which name, make the appended graph field fill the file to the size asked.</summary>
    private static (long RawBytes, string Name) Solve(long modelBytes, long size)
    {
        // A varint that grows by a byte can step over the size; a longer name shifts every total by one.
        for (var extra = 0; extra < 8; extra++)
        {
            var name = PaddingName + new string('_', extra);
            var rawBytes = size - modelBytes;
            for (var step = 0; step < 8 && rawBytes >= 0; step++)
            {
                var missing = size - modelBytes - FieldLength(GraphLength(TensorLength(rawBytes, name)));
                if (missing == 0)
                {
                    return (rawBytes, name);
                }

                rawBytes += missing;
            }
        }

        throw new ArgumentOutOfRangeException(nameof(size), $"a model of {modelBytes} bytes cannot be padded to {size} bytes");
    }

    private static long TensorLength(long rawBytes, string name)
        => 1 + CodedOutputStream.ComputeInt64Size(rawBytes)
           + 1 + CodedOutputStream.ComputeInt32Size(Uint8)
           + 1 + CodedOutputStream.ComputeStringSize(name)
           + FieldLength(rawBytes);

    private static long GraphLength(long tensorLength) => FieldLength(tensorLength);

    /// <summary>A length-delimited field's bytes: its tag, its length's varint and its contents.</summary>
    private static long FieldLength(long contents) => 1 + CodedOutputStream.ComputeLengthSize(checked((int)contents)) + contents;

    /// <summary>Which real model's file a stand-in file stands in for, and that file's size.</summary>
    public sealed record RealExport(string ModelId, string Role, long Size);
}
