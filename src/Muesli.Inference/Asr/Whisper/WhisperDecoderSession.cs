using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Muesli.Inference.Asr.Whisper;

/// <summary>
/// The decoder over one window's encoding. The self-attention caches are two pairs of tensors allocated once: each
/// run reads one pair and writes the other, then they swap, so no cache is copied or reallocated per token. Single
/// tokens reuse their input and logits buffers too. Not thread-safe.
/// </summary>
public sealed class WhisperDecoderSession : IWhisperDecoderSteps, IDisposable
{
    private static readonly string[] InputNames =
    [
        WhisperModel.TokensInput,
        WhisperModel.SelfKeyInput,
        WhisperModel.SelfValueInput,
        WhisperModel.CrossKey,
        WhisperModel.CrossValue,
        WhisperModel.OffsetInput,
    ];

    private static readonly string[] OutputNames = [WhisperModel.LogitsOutput, WhisperModel.SelfKeyOutput, WhisperModel.SelfValueOutput];

    private readonly InferenceSession decoder;
    private readonly string source;
    private readonly WhisperEncoding encoding;
    private readonly int vocabularySize;
    private readonly OrtValue[] selfKeys;
    private readonly OrtValue[] selfValues;
    private readonly long[] offset = new long[1];
    private readonly OrtValue offsetValue;
    private readonly long[] singleToken = new long[1];
    private readonly OrtValue singleTokenValue;
    private readonly float[] singleLogits;
    private readonly OrtValue singleLogitsValue;
    private readonly RunOptions runOptions = new();
    private float[] lastLogits = [];
    private int current;

    internal WhisperDecoderSession(InferenceSession decoder, string source, WhisperEncoding encoding, long[] cacheShape, int vocabularySize)
    {
        this.decoder = decoder;
        this.source = source;
        this.encoding = encoding;
        this.vocabularySize = vocabularySize;
        selfKeys = [EmptyCache(cacheShape), EmptyCache(cacheShape)];
        selfValues = [EmptyCache(cacheShape), EmptyCache(cacheShape)];
        offsetValue = OrtValue.CreateTensorValueFromMemory(offset, [1]);
        singleTokenValue = OrtValue.CreateTensorValueFromMemory(singleToken, [1, 1]);
        singleLogits = new float[vocabularySize];
        singleLogitsValue = OrtValue.CreateTensorValueFromMemory(singleLogits, [1, 1, vocabularySize]);
    }

    public ReadOnlySpan<float> Run(ReadOnlySpan<int> tokens, int offset)
    {
        if (tokens.IsEmpty)
        {
            throw new ArgumentException("the decoder needs at least one token", nameof(tokens));
        }

        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        this.offset[0] = offset;
        OrtValue? ownTokens = null;
        OrtValue? ownLogits = null;
        try
        {
            if (tokens.Length == 1)
            {
                singleToken[0] = tokens[0];
                lastLogits = singleLogits;
            }
            else
            {
                var ids = new long[tokens.Length];
                for (var i = 0; i < ids.Length; i++)
                {
                    ids[i] = tokens[i];
                }

                ownTokens = OrtValue.CreateTensorValueFromMemory(ids, [1, ids.Length]);
                lastLogits = new float[tokens.Length * vocabularySize];
                ownLogits = OrtValue.CreateTensorValueFromMemory(lastLogits, [1, tokens.Length, vocabularySize]);
            }

            var next = 1 - current;
            var timing = StageClock.Time(StageClock.Inference);
            decoder.Run(
                runOptions,
                InputNames,
                [ownTokens ?? singleTokenValue, selfKeys[current], selfValues[current], encoding.CrossKey, encoding.CrossValue, offsetValue],
                OutputNames,
                [ownLogits ?? singleLogitsValue, selfKeys[next], selfValues[next]]);
            timing.Dispose();
            current = next;
            return lastLogits;
        }
        catch (OnnxRuntimeException e)
        {
            throw new InvalidDataException(
                $"{source}: the decoder failed on {tokens.Length} token(s) at offset {offset} "
                + $"(its outputs must be logits [1, {tokens.Length}, {vocabularySize}] and caches shaped as its cache inputs): {e.Message}",
                e);
        }
        finally
        {
            ownTokens?.Dispose();
            ownLogits?.Dispose();
        }
    }

    public void Dispose()
    {
        foreach (var value in selfKeys.Concat(selfValues))
        {
            value.Dispose();
        }

        offsetValue.Dispose();
        singleTokenValue.Dispose();
        singleLogitsValue.Dispose();
        runOptions.Dispose();
    }

    // Positions past the last token fed are never read, but zeros keep every run reproducible.
    private static OrtValue EmptyCache(long[] shape)
    {
        var cache = OrtValue.CreateAllocatedTensorValue(OrtAllocator.DefaultInstance, TensorElementType.Float, shape);
        cache.GetTensorMutableDataAsSpan<float>().Clear();
        return cache;
    }
}
