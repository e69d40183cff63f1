using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Muesli.Inference.Diarization;

/// <summary>Per-frame powerset scores of a batch of windows, row-major [Windows, Frames, Classes].</summary>
public sealed record SegmentationScores(float[] Values, int Windows, int Frames, int Classes)
{
    public ReadOnlySpan<float> Window(int window) => Values.AsSpan(window * Frames * Classes, Frames * Classes);
}

/// <summary>
/// A pyannote segmentation export (spec/models.md): <c>x</c> f32 [N, 1, samples] in, <c>y</c> f32 [N, frames, classes]
/// log-probabilities over the powerset classes out. The window size, frame step, receptive field and powerset come
/// from the metadata the sherpa-onnx export writes (<c>window_size</c>, <c>receptive_field_shift</c>,
/// <c>receptive_field_size</c>, <c>num_speakers</c>, <c>powerset_max_classes</c>, <c>num_classes</c>), or from
/// segmentation-3.0's published values when a key is absent; they are checked against the tensor shapes at load.
/// </summary>
public sealed class PyannoteSegmentationModel : IDisposable
{
    public const string Family = "pyannote-segmentation";
    public const string AudioInput = "x";
    public const string ScoresOutput = "y";
    public const int SampleRate = 16000;
    public const int DefaultWindowSamples = 160000;
    public const int DefaultSpeakers = 3;
    public const int DefaultMaxSimultaneous = 2;

    /// <summary>The metadata key and value ONNX Runtime's quantization tool writes into a model it quantised.</summary>
    public const string QuantizedKey = "onnx.infer";
    public const string QuantizedValue = "onnxruntime.quant";

    private readonly InferenceSession session;
    private readonly bool fixedBatch;

    /// <summary>Takes ownership of <paramref name="session"/> (disposes it, also when validation fails).</summary>
    public PyannoteSegmentationModel(InferenceSession session, string source)
    {
        this.session = session;
        Source = source;
        try
        {
            var signature = new OnnxSignature(session, source);
            signature.RequireSampleRate(SampleRate);
            var input = signature.Input(AudioInput, TensorElementType.Float, "f32 [N, 1, samples]", rank: 3);
            var output = signature.Output(ScoresOutput, TensorElementType.Float, "f32 [N, frames, classes]", rank: 3);
            signature.AxisOfShape(input, "input", AudioInput, axis: 1, "channels", expected: 1);
            WindowSamples = ReadWindowSamples(signature, input);
            Frames = ReadFrames(signature);
            Powerset = ReadPowerset(signature, output);
            fixedBatch = input.Dimensions[0] == 1;
            Quantized = signature.Metadata.TryGetValue(QuantizedKey, out var tool) && tool == QuantizedValue;
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    /// <summary>The model file, as errors name it.</summary>
    public string Source { get; }

    /// <summary>Samples per window (160000: 10 s).</summary>
    public int WindowSamples { get; }

    public SegmentationFrames Frames { get; }

    public Powerset Powerset { get; }

    /// <summary>
    /// Whether ONNX Runtime's quantization tool made this export (metadata <c>onnx.infer</c> = <c>onnxruntime.quant</c>),
    /// as the int8 export of segmentation-3.0 is: its DynamicQuantizeLSTM and MatMulInteger quantise activations with
    /// one scale per run, taken over every window of the batch, so a window's scores would depend on the windows run
    /// beside it (up to 1.9 in log-probability on the pyannote sample). Such a model runs one window at a time.
    /// </summary>
    public bool Quantized { get; }

    /// <summary>Windows one run may take: 1 when the export fixed its batch axis or is <see cref="Quantized"/>.</summary>
    public int MaxBatch => fixedBatch || Quantized ? 1 : int.MaxValue;

    /// <summary>Scores for <paramref name="windows"/> windows laid end to end in <paramref name="audio"/> (each <see cref="WindowSamples"/> long).</summary>
    public SegmentationScores Run(float[] audio, int windows)
    {
        if (windows < 1 || windows > MaxBatch || audio.Length != windows * WindowSamples)
        {
            throw new ArgumentException(
                $"{Source}: takes up to {MaxBatch} windows of {WindowSamples} samples, got {audio.Length} samples for {windows}", nameof(audio));
        }

        using var x = OrtValue.CreateTensorValueFromMemory(audio, [windows, 1, WindowSamples]);
        using var runOptions = new RunOptions();
        using var outputs = session.Run(runOptions, [AudioInput], [x], [ScoresOutput]);
        var shape = outputs[0].GetTensorTypeAndShape().Shape;
        if (shape.Length != 3 || shape[0] != windows || shape[1] < 1 || shape[2] != Powerset.Classes)
        {
            throw new InvalidDataException(
                $"{Source}: output '{ScoresOutput}' should be [{windows}, frames, {Powerset.Classes}], found [{string.Join(", ", shape)}]");
        }

        return new SegmentationScores(outputs[0].GetTensorDataAsSpan<float>().ToArray(), windows, (int)shape[1], Powerset.Classes);
    }

    public void Dispose() => session.Dispose();

    private int ReadWindowSamples(OnnxSignature signature, NodeMetadata input)
    {
        var declared = signature.PositiveMetadata("window_size");
        var fixedSize = input.Dimensions[2];
        if (fixedSize > 0 && declared is { } size && size != fixedSize)
        {
            throw new InvalidDataException($"{Source}: input '{AudioInput}' takes {fixedSize} samples, its metadata window_size says {size}");
        }

        return fixedSize > 0 ? fixedSize : declared ?? DefaultWindowSamples;
    }

    private SegmentationFrames ReadFrames(OnnxSignature signature)
    {
        var step = signature.PositiveMetadata("receptive_field_shift") ?? SegmentationFrames.Pyannote.Step;
        var field = signature.PositiveMetadata("receptive_field_size") ?? SegmentationFrames.Pyannote.Field;
        if (field < step || field > WindowSamples)
        {
            throw new InvalidDataException(
                $"{Source}: metadata receptive_field_size {field} should lie between receptive_field_shift {step} and the window's {WindowSamples} samples");
        }

        return new SegmentationFrames(step, field, SampleRate);
    }

    private Powerset ReadPowerset(OnnxSignature signature, NodeMetadata output)
    {
        var speakers = signature.PositiveMetadata("num_speakers") ?? DefaultSpeakers;
        var simultaneous = signature.PositiveMetadata("powerset_max_classes") ?? DefaultMaxSimultaneous;
        if (simultaneous > speakers)
        {
            throw new InvalidDataException(
                $"{Source}: metadata powerset_max_classes {simultaneous} is more than num_speakers {speakers}");
        }

        var powerset = new Powerset(speakers, simultaneous);
        if (signature.PositiveMetadata("num_classes") is { } classes && classes != powerset.Classes)
        {
            throw new InvalidDataException(
                $"{Source}: metadata num_classes is {classes}, but {speakers} speakers at most {simultaneous} at a time make {powerset.Classes} powerset classes");
        }

        signature.AxisOfShape(output, "output", ScoresOutput, axis: 2, "classes", powerset.Classes);
        return powerset;
    }
}
