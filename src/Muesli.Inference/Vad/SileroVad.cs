using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Muesli.Inference.Models;

namespace Muesli.Inference.Vad;

/// <summary>
/// Silero VAD v5 (spec/models.md): each 32 ms chunk of 512 samples, preceded by the last 64 samples of the chunk
/// before it, goes through the model with the recurrent state the previous chunk left; the model answers the chunk's
/// speech probability. <see cref="Detect"/> applies <see cref="SpeechRegions"/> with <see cref="Options"/>.
/// </summary>
/// <remarks>
/// Every tensor is a view of a buffer this instance owns; outputs are bound once, the inputs that change are bound
/// again per chunk. A long input so allocates only its probability array, plus ONNX Runtime's own bookkeeping per run.
/// One instance is therefore not thread-safe; each call starts from a fresh state, so calls are independent.
/// </remarks>
public sealed class SileroVad : IVoiceActivityDetector
{
    public const string Family = "silero-vad";
    public const string ModelRole = "model";

    /// <summary>The role its ONNX session is listed under (<c>muesli engines</c>, the logs).</summary>
    public const string SessionRole = "vad";
    public const string AudioInput = "input";
    public const string StateInput = "state";
    public const string SampleRateInput = "sr";
    public const string ProbabilityOutput = "output";
    public const string StateOutput = "stateN";
    public const int SampleRate = 16000;
    public const int ChunkSamples = 512;
    public const int ContextSamples = 64;
    public const int StateWidth = 128;

    private const int StateLength = 2 * StateWidth;

    private readonly InferenceSession session;
    private readonly float[] window = new float[ContextSamples + ChunkSamples];
    private readonly float[] state = new float[StateLength];
    private readonly float[] nextState = new float[StateLength];
    private readonly float[] probability = new float[1];
    private readonly OrtValue windowValue;
    private readonly OrtValue stateValue;
    private readonly OrtValue sampleRateValue;
    private readonly OrtValue probabilityValue;
    private readonly OrtValue nextStateValue;
    private readonly OrtIoBinding binding;
    private readonly RunOptions runOptions = new();

    /// <summary>Opens the model at <paramref name="modelPath"/> with <paramref name="sessions"/> (role "model").</summary>
    public SileroVad(string modelPath, OnnxSessionFactory sessions, SileroVadOptions? options = null)
        : this(Family, OpenSession(modelPath, sessions), modelPath, options)
    {
    }

    /// <summary>Opens an installed model of the <c>silero-vad</c> family; its id becomes <see cref="Name"/>.</summary>
    public SileroVad(InstalledModel model, OnnxSessionFactory sessions, SileroVadOptions? options = null)
        : this(ModelFamilies.Require(model, Family).Entry.Id, OpenSession(model.PathOf(ModelRole), sessions), model.PathOf(ModelRole), options)
    {
    }

    /// <summary>Takes ownership of <paramref name="session"/> (disposes it, also when validation fails).</summary>
    public SileroVad(string name, InferenceSession session, string source, SileroVadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(session);
        this.session = session;
        Name = name;
        Source = source;
        try
        {
            Options = options ?? SileroVadOptions.Default;
            Options.Validate();
            ValidateSignature();
            windowValue = OrtValue.CreateTensorValueFromMemory(window, [1, window.Length]);
            stateValue = OrtValue.CreateTensorValueFromMemory(state, [2, 1, StateWidth]);
            sampleRateValue = OrtValue.CreateTensorValueFromMemory(new long[] { SampleRate }, []);
            probabilityValue = OrtValue.CreateTensorValueFromMemory(probability, [1, 1]);
            nextStateValue = OrtValue.CreateTensorValueFromMemory(nextState, [2, 1, StateWidth]);
            binding = session.CreateIoBinding();
            binding.BindInput(SampleRateInput, sampleRateValue);
            binding.BindOutput(ProbabilityOutput, probabilityValue);
            binding.BindOutput(StateOutput, nextStateValue);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public string Name { get; }

    /// <summary>The model file, as errors name it.</summary>
    public string Source { get; }

    public SileroVadOptions Options { get; }

    public double FrameSeconds => ChunkSamples / (double)SampleRate;

    /// <summary>One probability per 512-sample chunk; a short last chunk is zero-padded, as Silero does.</summary>
    public float[] Probabilities(ReadOnlySpan<float> samples16k)
    {
        var frames = (samples16k.Length + ChunkSamples - 1) / ChunkSamples;
        var result = new float[frames];
        Array.Clear(window);
        Array.Clear(state);
        var chunk = window.AsSpan(ContextSamples, ChunkSamples);
        for (var i = 0; i < frames; i++)
        {
            var samples = samples16k.Slice(i * ChunkSamples, Math.Min(ChunkSamples, samples16k.Length - (i * ChunkSamples)));
            samples.CopyTo(chunk);
            chunk[samples.Length..].Clear();
            // Bound inputs are copied when bound if the session runs on a device, so the changed buffers are bound anew.
            binding.BindInput(AudioInput, windowValue);
            binding.BindInput(StateInput, stateValue);
            var timing = StageClock.Time(StageClock.Inference);
            session.RunWithBinding(runOptions, binding);
            timing.Dispose();
            result[i] = probability[0];
            nextState.CopyTo(state, 0);
            window.AsSpan(ChunkSamples, ContextSamples).CopyTo(window);
        }

        return result;
    }

    public IReadOnlyList<SpeechRegion> Detect(ReadOnlySpan<float> samples16k)
        => SpeechRegions.Find(Probabilities(samples16k), ChunkSamples, samples16k.Length, SampleRate, Options);

    // Also called by a constructor that failed half way, so any of these may still be null.
    public void Dispose()
    {
        binding?.Dispose();
        windowValue?.Dispose();
        stateValue?.Dispose();
        sampleRateValue?.Dispose();
        probabilityValue?.Dispose();
        nextStateValue?.Dispose();

        runOptions.Dispose();
        session.Dispose();
    }

    private static InferenceSession OpenSession(string modelPath, OnnxSessionFactory sessions)
    {
        ArgumentNullException.ThrowIfNull(sessions);
        return sessions.Create(modelPath, SessionRole);
    }

    private void ValidateSignature()
    {
        var signature = new OnnxSignature(session, Source);
        var audio = signature.Input(AudioInput, TensorElementType.Float, "f32 [B, 576]", rank: 2);
        if (!OnnxSignature.Fits(audio, 1, window.Length))
        {
            throw signature.Mismatch("input", AudioInput, "f32 [B, 576] (64 context + 512 samples)", audio);
        }

        var stateInput = signature.Input(StateInput, TensorElementType.Float, "f32 [2, B, 128]", rank: 3);
        if (!OnnxSignature.Fits(stateInput, 0, 2) || !OnnxSignature.Fits(stateInput, 2, StateWidth))
        {
            throw signature.Mismatch("input", StateInput, "f32 [2, B, 128]", stateInput);
        }

        signature.Input(SampleRateInput, TensorElementType.Int64, "an i64 scalar", rank: 0);
        var output = signature.Output(ProbabilityOutput, TensorElementType.Float, "f32 [B, 1]", rank: 2);
        if (!OnnxSignature.Fits(output, 1, 1))
        {
            throw signature.Mismatch("output", ProbabilityOutput, "f32 [B, 1]", output);
        }

        var stateOutput = signature.Output(StateOutput, TensorElementType.Float, "f32 [2, B, 128]", rank: 3);
        if (!OnnxSignature.Fits(stateOutput, 0, 2) || !OnnxSignature.Fits(stateOutput, 2, StateWidth))
        {
            throw signature.Mismatch("output", StateOutput, "f32 [2, B, 128]", stateOutput);
        }
    }
}
