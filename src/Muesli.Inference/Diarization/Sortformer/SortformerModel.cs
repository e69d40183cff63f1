using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Muesli.Inference.Diarization.Sortformer;

/// <summary>
/// What one run of the streaming model answers: sigmoid activities of every frame it was given, row-major
/// [cache + FIFO + chunk frames, speakers], and the chunk's pre-encoded embeddings, row-major [chunk frames, E].
/// </summary>
public sealed record SortformerRun(float[] Predictions, int PredictionFrames, float[] ChunkEmbeddings, int ChunkEmbeddingFrames);

/// <summary>
/// The streaming Sortformer v2 export (spec/models.md; NeMo's <c>SortformerEncLabelModel.forward_for_export</c>):
/// <c>chunk</c> f32 [B, T, 128] time-major log-mel, <c>chunk_lengths</c>, <c>spkcache</c> and <c>fifo</c> f32
/// [B, T, E] pre-encoded embeddings with their lengths → <c>spkcache_fifo_chunk_preds</c> f32 [B, T, 4],
/// <c>chunk_pre_encode_embs</c> f32 [B, T', E], <c>chunk_pre_encode_lengths</c> i64 [B]. Validates the signature at
/// load and every answer's shape, with errors that name the file and the tensor.
/// </summary>
public sealed class SortformerModel : IDisposable
{
    public const string ChunkInput = "chunk";
    public const string ChunkLengthsInput = "chunk_lengths";
    public const string CacheInput = "spkcache";
    public const string CacheLengthsInput = "spkcache_lengths";
    public const string FifoInput = "fifo";
    public const string FifoLengthsInput = "fifo_lengths";
    public const string PredictionsOutput = "spkcache_fifo_chunk_preds";
    public const string EmbeddingsOutput = "chunk_pre_encode_embs";
    public const string EmbeddingLengthsOutput = "chunk_pre_encode_lengths";

    /// <summary>Feature frames (10 ms) per encoder frame (80 ms): FastConformer's subsampling.</summary>
    public const int SubsamplingFactor = 8;

    private const string LengthsShape = "i64 [B]";

    private static readonly string[] InputNames =
        [ChunkInput, ChunkLengthsInput, CacheInput, CacheLengthsInput, FifoInput, FifoLengthsInput];

    private static readonly string[] OutputNames = [PredictionsOutput, EmbeddingsOutput, EmbeddingLengthsOutput];

    private readonly InferenceSession session;

    /// <summary>Takes ownership of <paramref name="session"/> (disposes it, also when validation fails).</summary>
    public SortformerModel(InferenceSession session, string source)
    {
        ArgumentNullException.ThrowIfNull(session);
        this.session = session;
        Source = source;
        try
        {
            var signature = new OnnxSignature(session, source);
            var chunk = signature.Input(ChunkInput, TensorElementType.Float, "f32 [B, T, F]", rank: 3);
            Features = signature.FeatureCount(chunk, "input", ChunkInput, axis: 2);
            EmbeddingSize = ReadEmbeddingSize(signature);
            Speakers = ReadSpeakerCount(signature);
            signature.Input(ChunkLengthsInput, TensorElementType.Int64, LengthsShape, rank: 1);
            signature.Input(CacheLengthsInput, TensorElementType.Int64, LengthsShape, rank: 1);
            signature.Input(FifoLengthsInput, TensorElementType.Int64, LengthsShape, rank: 1);
            signature.Output(EmbeddingLengthsOutput, TensorElementType.Int64, LengthsShape, rank: 1);
            MetadataChunkFrames = signature.PositiveMetadata("chunk_len");
            MetadataFifoFrames = signature.NonNegativeMetadata("fifo_len");
            MetadataCacheFrames = signature.PositiveMetadata("spkcache_len");
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    /// <summary>The model file, as errors name it.</summary>
    public string Source { get; }

    /// <summary>Mel bins per frame of <c>chunk</c> (128).</summary>
    public int Features { get; }

    /// <summary>E: the width of the pre-encoded embeddings held in the FIFO and the speaker cache (512).</summary>
    public int EmbeddingSize { get; }

    /// <summary>Speaker slots of <c>spkcache_fifo_chunk_preds</c> (4).</summary>
    public int Speakers { get; }

    /// <summary>The export's chunk length (metadata <c>chunk_len</c>), when it names one.</summary>
    public int? MetadataChunkFrames { get; }

    /// <summary>The export's FIFO length (metadata <c>fifo_len</c>), when it names one.</summary>
    public int? MetadataFifoFrames { get; }

    /// <summary>The export's speaker-cache length (metadata <c>spkcache_len</c>), when it names one.</summary>
    public int? MetadataCacheFrames { get; }

    /// <summary>Seconds per encoder frame: 8 × the 10 ms hop.</summary>
    public static double FrameSeconds => SubsamplingFactor * 0.01;

    /// <summary>One streaming step over time-major buffers of exactly the given frame counts (B = 1).</summary>
    public SortformerRun Run(
        ReadOnlyMemory<float> chunk, int chunkFrames, ReadOnlyMemory<float> cache, int cacheFrames, ReadOnlyMemory<float> fifo, int fifoFrames)
    {
        RequireLength(chunk, chunkFrames, Features, ChunkInput);
        RequireLength(cache, cacheFrames, EmbeddingSize, CacheInput);
        RequireLength(fifo, fifoFrames, EmbeddingSize, FifoInput);

        using var chunkValue = Tensor(chunk, [1, chunkFrames, Features]);
        using var chunkLengths = OrtValue.CreateTensorValueFromMemory(new long[] { chunkFrames }, [1]);
        using var cacheValue = Tensor(cache, [1, cacheFrames, EmbeddingSize]);
        using var cacheLengths = OrtValue.CreateTensorValueFromMemory(new long[] { cacheFrames }, [1]);
        using var fifoValue = Tensor(fifo, [1, fifoFrames, EmbeddingSize]);
        using var fifoLengths = OrtValue.CreateTensorValueFromMemory(new long[] { fifoFrames }, [1]);
        using var runOptions = new RunOptions();
        var timing = StageClock.Time(StageClock.Inference);
        using var outputs = session.Run(
            runOptions, InputNames, [chunkValue, chunkLengths, cacheValue, cacheLengths, fifoValue, fifoLengths], OutputNames);
        timing.Dispose();

        var embeddingFrames = CheckShape(outputs[1], EmbeddingsOutput, "[1, T', E]", 3, EmbeddingSize, "E");
        var predictionFrames = CheckShape(outputs[0], PredictionsOutput, "[1, T, speakers]", 3, Speakers, "speakers");
        var lengths = outputs[2].GetTensorDataAsSpan<long>();
        if (lengths.Length != 1 || lengths[0] != embeddingFrames)
        {
            throw new InvalidDataException(
                $"{Source}: output '{EmbeddingLengthsOutput}' should be [{embeddingFrames}] (the frames of '{EmbeddingsOutput}'), found [{string.Join(", ", lengths.ToArray())}]");
        }

        if (predictionFrames != cacheFrames + fifoFrames + embeddingFrames)
        {
            throw new InvalidDataException(
                $"{Source}: output '{PredictionsOutput}' has {predictionFrames} frames, expected {cacheFrames + fifoFrames + embeddingFrames} "
                + $"(speaker cache {cacheFrames} + FIFO {fifoFrames} + chunk {embeddingFrames})");
        }

        return new SortformerRun(
            outputs[0].GetTensorDataAsSpan<float>().ToArray(),
            predictionFrames,
            outputs[1].GetTensorDataAsSpan<float>().ToArray(),
            embeddingFrames);
    }

    public void Dispose() => session.Dispose();

    // An empty FIFO or speaker cache is a [1, 0, E] tensor, which has no memory to pin.
    private static OrtValue Tensor(ReadOnlyMemory<float> data, long[] shape) => data.IsEmpty
        ? OrtValue.CreateAllocatedTensorValue(OrtAllocator.DefaultInstance, TensorElementType.Float, shape)
        : OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, MemoryMarshal.AsMemory(data), shape);

    private static void RequireLength(ReadOnlyMemory<float> data, int frames, int width, string name)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(frames, name);
        if (data.Length != frames * width)
        {
            throw new ArgumentException($"'{name}' holds {data.Length} values, not {frames} frames × {width}", name);
        }
    }

    private int CheckShape(OrtValue value, string name, string expected, int rank, int width, string widthName)
    {
        var shape = value.GetTensorTypeAndShape().Shape;
        if (shape.Length != rank || shape[0] != 1 || shape[2] != width)
        {
            throw new InvalidDataException(
                $"{Source}: output '{name}' should be {expected} with {widthName} = {width}, found [{string.Join(", ", shape)}]");
        }

        return (int)shape[1];
    }

    // The FIFO, the speaker cache and the chunk's embeddings are concatenated, so they must share one width.
    private int ReadEmbeddingSize(OnnxSignature signature)
    {
        var widths = new[]
        {
            (Name: CacheInput, Kind: "input", Node: signature.Input(CacheInput, TensorElementType.Float, "f32 [B, T, E]", rank: 3)),
            (Name: FifoInput, Kind: "input", Node: signature.Input(FifoInput, TensorElementType.Float, "f32 [B, T, E]", rank: 3)),
            (Name: EmbeddingsOutput, Kind: "output", Node: signature.Output(EmbeddingsOutput, TensorElementType.Float, "f32 [B, T', E]", rank: 3)),
        }.Where(w => w.Node.Dimensions[2] > 0).ToList();
        if (widths.Count == 0)
        {
            throw new InvalidDataException(
                $"{Source}: '{CacheInput}', '{FifoInput}' and '{EmbeddingsOutput}' all have a dynamic last axis, so the embedding width is unknown");
        }

        var width = widths[0].Node.Dimensions[2];
        var other = widths.FirstOrDefault(w => w.Node.Dimensions[2] != width);
        return other.Node is null
            ? width
            : throw new InvalidDataException(
                $"{Source}: {widths[0].Kind} '{widths[0].Name}' has embeddings of width {width}, {other.Kind} '{other.Name}' of width {other.Node.Dimensions[2]}");
    }

    private int ReadSpeakerCount(OnnxSignature signature)
    {
        var predictions = signature.Output(PredictionsOutput, TensorElementType.Float, "f32 [B, T, speakers]", rank: 3);
        return predictions.Dimensions[2] > 0
            ? predictions.Dimensions[2]
            : throw new InvalidDataException($"{Source}: output '{PredictionsOutput}' has a dynamic speaker axis; Sortformer exports fix it (4)");
    }
}
