using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Muesli.Inference.Features;

namespace Muesli.Inference.Asr;

/// <summary>Log-probabilities of a CTC encoder, row-major [Frames, Classes].</summary>
public sealed record CtcLogProbs(float[] Values, int Frames, int Classes);

/// <summary>
/// A NeMo CTC export (spec/models.md): <c>audio_signal</c> f32 [N, F, T] and <c>length</c> i64 [N] in,
/// <c>logprobs</c> f32 [N, T', V+1] out. Validates the signature against its tokens at load, reads the feature
/// count from the input (or <c>feat_dim</c>) and <c>subsampling_factor</c> / <c>normalize_type</c> from metadata,
/// and throws messages that name the file, the tensor, what was expected and what was found.
/// </summary>
public sealed class NemoCtcModel : IDisposable
{
    public const string FeaturesInput = NemoEncoderSignature.FeaturesInput;
    public const string LengthInput = NemoEncoderSignature.LengthInput;
    public const string LogProbsOutput = "logprobs";
    public const int DefaultSubsamplingFactor = NemoEncoderSignature.DefaultSubsamplingFactor;

    private readonly InferenceSession session;
    private readonly int expectedClasses;
    private readonly string tokensSource;

    /// <summary>Takes ownership of <paramref name="session"/> (disposes it, also when validation fails).</summary>
    public NemoCtcModel(InferenceSession session, string source, TokenTable tokens)
    {
        this.session = session;
        Source = source;
        expectedClasses = tokens.Count;
        tokensSource = tokens.Source;
        try
        {
            var signature = new OnnxSignature(session, source);
            Features = NemoEncoderSignature.Features(signature);
            signature.Input(LengthInput, TensorElementType.Int64, "i64 [N]", rank: 1);
            var logProbs = signature.Output(LogProbsOutput, TensorElementType.Float, "f32 [N, T', V+1]", rank: 3);
            if (!OnnxSignature.Fits(logProbs, 2, expectedClasses))
            {
                throw ClassMismatch(logProbs.Dimensions[2]);
            }

            NemoEncoderSignature.CheckVocabularySize(signature, tokens);
            SubsamplingFactor = NemoEncoderSignature.SubsamplingFactor(signature);
            NormalizePerFeature = NemoEncoderSignature.NormalizePerFeature(signature);
            MaxEncoderFrames = NemoEncoderSignature.MaxEncoderFrames(signature);
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    /// <summary>The model file, as errors name it.</summary>
    public string Source { get; }

    /// <summary>F: mel bins the encoder takes (dim 1 of <c>audio_signal</c>).</summary>
    public int Features { get; }

    /// <summary>Input frames per output frame (8 for FastConformer).</summary>
    public int SubsamplingFactor { get; }

    /// <summary>Whether the features are normalised per feature (<c>normalize_type</c> per_feature) or left raw.</summary>
    public bool NormalizePerFeature { get; }

    /// <summary>The most encoder frames one pass holds, when the export declares it (<c>pos_emb_max_len</c>).</summary>
    public int? MaxEncoderFrames { get; }

    /// <summary>Seconds per output frame: subsampling factor × the 10 ms hop.</summary>
    public double FrameSeconds => SubsamplingFactor * (double)NemoMelFrontEnd.HopLength / NemoMelFrontEnd.SampleRate;

    public CtcLogProbs Run(FeatureMatrix features)
    {
        if (features.Features != Features)
        {
            throw new ArgumentException($"{Source}: takes {Features} features, got {features.Features}", nameof(features));
        }

        using var signal = OrtValue.CreateTensorValueFromMemory(features.Data, [1, features.Features, features.Frames]);
        using var length = OrtValue.CreateTensorValueFromMemory(new long[] { features.Frames }, [1]);
        using var runOptions = new RunOptions();
        var timing = StageClock.Time(StageClock.Inference);
        using var outputs = session.Run(runOptions, [FeaturesInput, LengthInput], [signal, length], [LogProbsOutput]);
        timing.Dispose();
        var shape = outputs[0].GetTensorTypeAndShape().Shape;
        if (shape.Length != 3 || shape[0] != 1)
        {
            throw new InvalidDataException($"{Source}: output '{LogProbsOutput}' should be [1, T', V+1], found [{string.Join(", ", shape)}]");
        }

        if (shape[2] != expectedClasses)
        {
            throw ClassMismatch(shape[2]);
        }

        return new CtcLogProbs(outputs[0].GetTensorDataAsSpan<float>().ToArray(), (int)shape[1], (int)shape[2]);
    }

    public void Dispose() => session.Dispose();

    private InvalidDataException ClassMismatch(long found) => new(
        $"{Source}: output '{LogProbsOutput}' has {found} classes, {tokensSource} has {expectedClasses} tokens (the blank included)");
}
