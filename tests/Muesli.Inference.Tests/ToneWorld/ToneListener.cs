using Microsoft.ML.OnnxRuntime;
using Muesli.Core.Transcripts;
using Muesli.Inference.Asr;
using Muesli.Inference.Features;
using Muesli.TestWorld;

namespace Muesli.Inference.Tests.ToneWorld;

/// <summary>The stand-in CTC model heard through the real NeMo front end, ONNX Runtime and greedy CTC.</summary>
internal sealed class ToneListener(int features) : IDisposable
{
    private const double FrameSeconds = 0.08;

    private readonly NemoMelFrontEnd frontEnd = new(features);
    private readonly InferenceSession session = new(ToneCtcModel.Build(features));

    public IReadOnlyList<Word> Listen(ReadOnlySpan<float> samples16k)
    {
        var input = frontEnd.Compute(samples16k);
        using var signal = OrtValue.CreateTensorValueFromMemory(input.Data, [1, input.Features, input.Frames]);
        using var length = OrtValue.CreateTensorValueFromMemory(new long[] { input.Frames }, [1]);
        using var runOptions = new RunOptions();
        using var outputs = session.Run(runOptions, ["audio_signal", "length"], [signal, length], ["logprobs"]);
        var shape = outputs[0].GetTensorTypeAndShape().Shape;
        var tokens = CtcGreedyDecoder.Decode(outputs[0].GetTensorDataAsSpan<float>(), (int)shape[1], (int)shape[2], ToneCtcModel.BlankId);
        return tokens
            .Select(t => new Word(ToneLanguage.Words[t.Id], t.FirstFrame * FrameSeconds, (t.LastFrame + 1) * FrameSeconds))
            .ToArray();
    }

    public void Dispose() => session.Dispose();
}
