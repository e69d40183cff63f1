using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Muesli.Inference.Features;

namespace Muesli.Inference.Asr.Tdt;

/// <summary>
/// A NeMo Parakeet TDT export in sherpa-onnx's layout (spec/models.md): encoder, decoder (the LSTM prediction network)
/// and joiner in three files, the model's metadata on the encoder. Validates the three signatures against each other,
/// the metadata and the tokens at load — statically, then by one decoder and joiner step on zeros — and throws
/// messages that name the file, the tensor, what was expected and what was found.
/// </summary>
public sealed class NemoTdtModel : IDisposable
{
    public const string FeaturesInput = NemoEncoderSignature.FeaturesInput;
    public const string LengthInput = NemoEncoderSignature.LengthInput;
    public const string EncoderOutput = "outputs";
    public const string EncodedLengthsOutput = "encoded_lengths";
    public const string TargetsInput = "targets";
    public const string TargetLengthInput = "target_length";
    public const string DecoderOutput = "outputs";
    public const string JoinerEncoderInput = "encoder_outputs";
    public const string JoinerDecoderInput = "decoder_outputs";
    public const string JoinerOutput = "outputs";
    public const int DefaultSubsamplingFactor = NemoEncoderSignature.DefaultSubsamplingFactor;

    private readonly InferenceSession encoder;
    private readonly InferenceSession decoder;
    private readonly InferenceSession joiner;
    private readonly RunOptions runOptions = new();
    private readonly string tokensSource;

    /// <summary>Takes ownership of the three sessions (disposes them, also when validation fails).</summary>
    public NemoTdtModel(
        InferenceSession encoder,
        string encoderSource,
        InferenceSession decoder,
        string decoderSource,
        InferenceSession joiner,
        string joinerSource,
        TokenTable tokens)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        this.encoder = encoder;
        this.decoder = decoder;
        this.joiner = joiner;
        EncoderSource = encoderSource;
        DecoderSource = decoderSource;
        JoinerSource = joinerSource;
        tokensSource = tokens.Source;
        Tokens = tokens.Count;
        BlankId = tokens.BlankId;
        try
        {
            if (BlankId != Tokens - 1)
            {
                throw new InvalidDataException(
                    $"{tokens.Source}: the blank '{TokenTable.BlankPiece}' has id {BlankId}, a TDT model's blank is the last id ({Tokens - 1})");
            }

            var encoding = new OnnxSignature(encoder, encoderSource);
            Features = NemoEncoderSignature.Features(encoding);
            encoding.Input(LengthInput, TensorElementType.Int64, "i64 [N]", rank: 1);
            var encoderOutput = encoding.Output(EncoderOutput, TensorElementType.Float, "f32 [N, D, T']", rank: 3);
            encoding.Output(EncodedLengthsOutput, TensorElementType.Int64, "i64 [N]", rank: 1);
            NemoEncoderSignature.CheckVocabularySize(encoding, tokens);
            SubsamplingFactor = NemoEncoderSignature.SubsamplingFactor(encoding);
            NormalizePerFeature = NemoEncoderSignature.NormalizePerFeature(encoding);
            MaxEncoderFrames = NemoEncoderSignature.MaxEncoderFrames(encoding);

            var prediction = new OnnxSignature(decoder, decoderSource);
            (PredictionLayers, PredictionHidden, DecoderStateInputs, DecoderStateOutputs) = ReadPredictionNetwork(encoding, prediction);

            var joining = new OnnxSignature(joiner, joinerSource);
            EncoderDimension = ReadEncoderDimension(encoderOutput, joining);
            var joinerPrediction = joining.Input(JoinerDecoderInput, TensorElementType.Float, "f32 [N, H, 1]", rank: 3);
            joining.Axis(joinerPrediction, "input", JoinerDecoderInput, 1, "prediction channels (pred_hidden)", PredictionHidden);
            var scores = joining.Output(JoinerOutput, TensorElementType.Float, "f32 [N, 1, 1, V + durations]", rank: 4);
            if (scores.Dimensions[3] > 0)
            {
                CheckScoreCount(scores.Dimensions[3]);
            }

            Probe();
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public string EncoderSource { get; }

    public string DecoderSource { get; }

    public string JoinerSource { get; }

    /// <summary>F: mel bins the encoder takes (dim 1 of <c>audio_signal</c>, or <c>feat_dim</c>).</summary>
    public int Features { get; }

    /// <summary>Input frames per encoder frame (8 for FastConformer).</summary>
    public int SubsamplingFactor { get; }

    /// <summary>Whether the features are normalised per feature (<c>normalize_type</c> per_feature) or left raw.</summary>
    public bool NormalizePerFeature { get; }

    /// <summary>The most encoder frames one pass holds, when the export declares it (<c>pos_emb_max_len</c>).</summary>
    public int? MaxEncoderFrames { get; }

    /// <summary>Seconds per encoder frame: subsampling factor × the 10 ms hop.</summary>
    public double FrameSeconds => SubsamplingFactor * (double)NemoMelFrontEnd.HopLength / NemoMelFrontEnd.SampleRate;

    /// <summary>D: channels of an encoder frame, as the joiner takes them.</summary>
    public int EncoderDimension { get; }

    /// <summary>LSTM layers of the prediction network (<c>pred_rnn_layers</c>).</summary>
    public int PredictionLayers { get; }

    /// <summary>H: the prediction network's width (<c>pred_hidden</c>).</summary>
    public int PredictionHidden { get; }

    /// <summary>Token scores per joiner output: every token, the blank included.</summary>
    public int Tokens { get; }

    public int BlankId { get; }

    /// <summary>Frames advanced for each of the joiner's duration scores.</summary>
    public IReadOnlyList<int> Durations => TdtGreedyDecoder.DefaultDurations;

    /// <summary>Names of the decoder's two LSTM state inputs (positions 2 and 3).</summary>
    internal string[] DecoderStateInputs { get; }

    /// <summary>Names of the decoder's two next-state outputs (positions 2 and 3).</summary>
    internal string[] DecoderStateOutputs { get; }

    /// <summary>Runs the encoder over [1, F, T] features; keeps the frames <c>encoded_lengths</c> calls valid.</summary>
    public TdtEncoded Encode(FeatureMatrix features)
    {
        ArgumentNullException.ThrowIfNull(features);
        if (features.Features != Features)
        {
            throw new ArgumentException($"{EncoderSource}: takes {Features} features, got {features.Features}", nameof(features));
        }

        using var signal = OrtValue.CreateTensorValueFromMemory(features.Data, [1, features.Features, features.Frames]);
        using var length = OrtValue.CreateTensorValueFromMemory(new long[] { features.Frames }, [1]);
        var timing = StageClock.Time(StageClock.Inference);
        using var outputs = encoder.Run(runOptions, [FeaturesInput, LengthInput], [signal, length], [EncoderOutput, EncodedLengthsOutput]);
        timing.Dispose();
        var shape = outputs[0].GetTensorTypeAndShape().Shape;
        if (shape.Length != 3 || shape[0] != 1 || shape[1] != EncoderDimension)
        {
            throw new InvalidDataException(
                $"{EncoderSource}: output '{EncoderOutput}' should be [1, {EncoderDimension}, T'] ({JoinerSource} takes {EncoderDimension} channels), found [{string.Join(", ", shape)}]");
        }

        var valid = (int)Math.Clamp(outputs[1].GetTensorDataAsSpan<long>()[0], 0, shape[2]);
        return new TdtEncoded(TimeMajor(outputs[0].GetTensorDataAsSpan<float>(), EncoderDimension, (int)shape[2], valid), valid, EncoderDimension);
    }

    /// <summary>A joint over <paramref name="encoded"/> with a fresh (zero) prediction-network state.</summary>
    public NemoTdtJoint Start(TdtEncoded encoded)
    {
        ArgumentNullException.ThrowIfNull(encoded);
        return new NemoTdtJoint(this, encoded);
    }

    public void Dispose()
    {
        encoder.Dispose();
        decoder.Dispose();
        joiner.Dispose();
        runOptions.Dispose();
    }

    internal void RunDecoder(IReadOnlyCollection<string> inputNames, IReadOnlyCollection<OrtValue> inputs, IReadOnlyCollection<string> outputNames, IReadOnlyCollection<OrtValue> outputs)
    {
        using var timing = StageClock.Time(StageClock.Inference);
        decoder.Run(runOptions, inputNames, inputs, outputNames, outputs);
    }

    internal void RunJoiner(IReadOnlyCollection<string> inputNames, IReadOnlyCollection<OrtValue> inputs, IReadOnlyCollection<string> outputNames, IReadOnlyCollection<OrtValue> outputs)
    {
        using var timing = StageClock.Time(StageClock.Inference);
        joiner.Run(runOptions, inputNames, inputs, outputNames, outputs);
    }

    private static float[] TimeMajor(ReadOnlySpan<float> channelMajor, int dimension, int frames, int valid)
    {
        var values = new float[valid * dimension];
        for (var d = 0; d < dimension; d++)
        {
            var row = channelMajor.Slice(d * frames, valid);
            for (var t = 0; t < valid; t++)
            {
                values[(t * dimension) + d] = row[t];
            }
        }

        return values;
    }

    /// <summary>
    /// The decoder's signature; its layers and width from the metadata, checked against the decoder's fixed axes (or
    /// read from them). The export names the LSTM states automatically, so they are bound by position: inputs 2 and 3,
    /// outputs 2 and 3.
    /// </summary>
    private static (int Layers, int Hidden, string[] StateInputs, string[] StateOutputs) ReadPredictionNetwork(
        OnnxSignature encoding, OnnxSignature prediction)
    {
        var targets = prediction.Input(TargetsInput, TensorElementType.Int32, "i32 [N, 1]", rank: 2);
        prediction.Axis(targets, "input", TargetsInput, 1, "targets per step", 1);
        prediction.Input(TargetLengthInput, TensorElementType.Int32, "i32 [N]", rank: 1);
        var output = prediction.Output(DecoderOutput, TensorElementType.Float, "f32 [N, H, 1]", rank: 3);
        const string stateShape = "f32 [layers, N, hidden]";
        var states = new[]
        {
            prediction.InputAt(2, TensorElementType.Float, "first LSTM state", stateShape, rank: 3),
            prediction.InputAt(3, TensorElementType.Float, "second LSTM state", stateShape, rank: 3),
        };
        var nextStates = new[]
        {
            prediction.OutputAt(2, TensorElementType.Float, "next first LSTM state", stateShape, rank: 3),
            prediction.OutputAt(3, TensorElementType.Float, "next second LSTM state", stateShape, rank: 3),
        };
        var first = states[0];
        var layers = encoding.PositiveMetadata("pred_rnn_layers") ?? FixedOrNull(first.Node.Dimensions[0]) ?? throw new InvalidDataException(
            $"{encoding.Source} has no 'pred_rnn_layers' metadata and {prediction.Source} input '{first.Name}' has a dynamic layer axis, so the LSTM state cannot be sized");
        var hidden = encoding.PositiveMetadata("pred_hidden") ?? FixedOrNull(first.Node.Dimensions[2]) ?? throw new InvalidDataException(
            $"{encoding.Source} has no 'pred_hidden' metadata and {prediction.Source} input '{first.Name}' has a dynamic hidden axis, so the LSTM state cannot be sized");
        foreach (var (state, kind) in states.Select(s => (s, "input")).Concat(nextStates.Select(s => (s, "output"))))
        {
            prediction.Axis(state.Node, kind, state.Name, 0, "layers (pred_rnn_layers)", layers);
            prediction.Axis(state.Node, kind, state.Name, 2, "hidden units (pred_hidden)", hidden);
        }

        prediction.Axis(output, "output", DecoderOutput, 1, "channels (pred_hidden)", hidden);
        return (layers, hidden, [states[0].Name, states[1].Name], [nextStates[0].Name, nextStates[1].Name]);
    }

    private static int? FixedOrNull(long dimension) => dimension > 0 ? (int)dimension : null;

    private int ReadEncoderDimension(NodeMetadata encoderOutput, OnnxSignature joining)
    {
        var input = joining.Input(JoinerEncoderInput, TensorElementType.Float, "f32 [N, D, 1]", rank: 3);
        var fromEncoder = FixedOrNull(encoderOutput.Dimensions[1]);
        var fromJoiner = FixedOrNull(input.Dimensions[1]);
        if (fromEncoder is { } e && fromJoiner is { } j && e != j)
        {
            throw new InvalidDataException(
                $"{JoinerSource}: input '{JoinerEncoderInput}' takes {j} channels, {EncoderSource} output '{EncoderOutput}' gives {e}");
        }

        return fromEncoder ?? fromJoiner ?? throw new InvalidDataException(
            $"{EncoderSource} output '{EncoderOutput}' and {JoinerSource} input '{JoinerEncoderInput}' both have a dynamic channel axis, so the encoder's width is unknown");
    }

    private void CheckScoreCount(long found)
    {
        if (found != Tokens + Durations.Count)
        {
            throw new InvalidDataException(
                $"{JoinerSource}: output '{JoinerOutput}' has {found} scores, expected {Tokens + Durations.Count}: the {Tokens} tokens of {tokensSource} (the blank included) and {Durations.Count} durations");
        }
    }

    /// <summary>One decoder step from the zero state and one joiner step on it, with shapes checked as the model returns them.</summary>
    private void Probe()
    {
        var stateShape = new long[] { PredictionLayers, 1, PredictionHidden };
        using var targets = OrtValue.CreateTensorValueFromMemory(new[] { BlankId }, [1, 1]);
        using var targetLength = OrtValue.CreateTensorValueFromMemory(new[] { 1 }, [1]);
        using var state0 = OrtValue.CreateTensorValueFromMemory(new float[PredictionLayers * PredictionHidden], stateShape);
        using var state1 = OrtValue.CreateTensorValueFromMemory(new float[PredictionLayers * PredictionHidden], stateShape);
        using var predicted = decoder.Run(
            runOptions,
            [TargetsInput, TargetLengthInput, DecoderStateInputs[0], DecoderStateInputs[1]],
            [targets, targetLength, state0, state1],
            [DecoderOutput, DecoderStateOutputs[0], DecoderStateOutputs[1]]);
        RequireShape(DecoderSource, "output", DecoderOutput, predicted[0], [1, PredictionHidden, 1]);
        RequireShape(DecoderSource, "output", DecoderStateOutputs[0], predicted[1], stateShape);
        RequireShape(DecoderSource, "output", DecoderStateOutputs[1], predicted[2], stateShape);

        using var frame = OrtValue.CreateTensorValueFromMemory(new float[EncoderDimension], [1, EncoderDimension, 1]);
        using var joined = joiner.Run(runOptions, [JoinerEncoderInput, JoinerDecoderInput], [frame, predicted[0]], [JoinerOutput]);
        var shape = joined[0].GetTensorTypeAndShape().Shape;
        if (shape.Length != 4 || shape[0] != 1 || shape[1] != 1 || shape[2] != 1)
        {
            throw new InvalidDataException(
                $"{JoinerSource}: output '{JoinerOutput}' should be [1, 1, 1, {Tokens + Durations.Count}] for one frame, found [{string.Join(", ", shape)}]");
        }

        CheckScoreCount(shape[3]);
    }

    private static void RequireShape(string source, string kind, string name, OrtValue value, long[] expected)
    {
        var shape = value.GetTensorTypeAndShape().Shape;
        if (!shape.SequenceEqual(expected))
        {
            throw new InvalidDataException(
                $"{source}: {kind} '{name}' should be [{string.Join(", ", expected)}] for one token, found [{string.Join(", ", shape)}]");
        }
    }
}
