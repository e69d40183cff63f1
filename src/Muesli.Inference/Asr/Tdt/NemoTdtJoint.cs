using Microsoft.ML.OnnxRuntime;

namespace Muesli.Inference.Asr.Tdt;

/// <summary>
/// The decoder and joiner of a <see cref="NemoTdtModel"/> stepping over one utterance. Every tensor is allocated once
/// and pinned: the LSTM states live in two pairs of buffers that swap roles at each decoder step, the decoder writes
/// its output straight into the joiner's prediction input, and the joiner writes into one score buffer.
/// </summary>
public sealed class NemoTdtJoint : ITdtJoint, IDisposable
{
    private readonly NemoTdtModel model;
    private readonly TdtEncoded encoded;
    private readonly int[] target = new int[1];
    private readonly float[] encoderFrame;
    private readonly float[] scores;
    private readonly List<OrtValue> owned = [];
    private readonly string[] decoderInputNames;
    private readonly string[] decoderOutputNames;
    private readonly string[] joinerInputNames = [NemoTdtModel.JoinerEncoderInput, NemoTdtModel.JoinerDecoderInput];
    private readonly string[] joinerOutputNames = [NemoTdtModel.JoinerOutput];

    // Step s reads the states of pair s % 2 and writes the other pair.
    private readonly OrtValue[][] decoderInputs;
    private readonly OrtValue[][] decoderOutputs;
    private readonly OrtValue[] joinerInputs;
    private readonly OrtValue[] joinerOutputs;
    private int pair;
    private int loadedFrame = -1;

    internal NemoTdtJoint(NemoTdtModel model, TdtEncoded encoded)
    {
        if (encoded.Dimension != model.EncoderDimension)
        {
            throw new ArgumentException($"{model.JoinerSource} takes {model.EncoderDimension} encoder channels, got {encoded.Dimension}", nameof(encoded));
        }

        this.model = model;
        this.encoded = encoded;
        encoderFrame = new float[model.EncoderDimension];
        scores = new float[model.Tokens + model.Durations.Count];
        var stateShape = new long[] { model.PredictionLayers, 1, model.PredictionHidden };
        var stateSize = model.PredictionLayers * model.PredictionHidden;
        var targets = Pin(target, [1, 1]);
        var targetLength = Pin(new[] { 1 }, [1]);
        var prediction = Pin(new float[model.PredictionHidden], [1, model.PredictionHidden, 1]);
        var states = Enumerable.Range(0, 4).Select(_ => Pin(new float[stateSize], stateShape)).ToArray();
        decoderInputNames = [NemoTdtModel.TargetsInput, NemoTdtModel.TargetLengthInput, .. model.DecoderStateInputs];
        decoderOutputNames = [NemoTdtModel.DecoderOutput, .. model.DecoderStateOutputs];
        decoderInputs = [[targets, targetLength, states[0], states[1]], [targets, targetLength, states[2], states[3]]];
        decoderOutputs = [[prediction, states[2], states[3]], [prediction, states[0], states[1]]];
        joinerInputs = [Pin(encoderFrame, [1, model.EncoderDimension, 1]), prediction];
        joinerOutputs = [Pin(scores, [1, 1, 1, scores.Length])];
    }

    public int Frames => encoded.Frames;

    public void Predict(int token)
    {
        target[0] = token;
        model.RunDecoder(decoderInputNames, decoderInputs[pair], decoderOutputNames, decoderOutputs[pair]);
        pair ^= 1;
    }

    public ReadOnlySpan<float> Join(int frame)
    {
        if (frame != loadedFrame)
        {
            encoded.Frame(frame).CopyTo(encoderFrame);
            loadedFrame = frame;
        }

        model.RunJoiner(joinerInputNames, joinerInputs, joinerOutputNames, joinerOutputs);
        return scores;
    }

    public void Dispose()
    {
        foreach (var value in owned)
        {
            value.Dispose();
        }
    }

    private OrtValue Pin<T>(T[] buffer, long[] shape)
        where T : unmanaged
    {
        var value = OrtValue.CreateTensorValueFromMemory(buffer, shape);
        owned.Add(value);
        return value;
    }
}
