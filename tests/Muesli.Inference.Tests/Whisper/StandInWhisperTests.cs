using Microsoft.ML.OnnxRuntime;
using Muesli.Inference.Asr.Whisper;

namespace Muesli.Inference.Tests.Whisper;

public sealed class StandInWhisperTests
{
    [Fact]
    public void The_decoder_fails_inside_onnx_runtime_for_a_token_past_its_448_positions()
    {
        var standIn = new StandInWhisper { TextContext = StandInWhisper.RealTextContext };
        using var decoder = new InferenceSession(standIn.Decoder().ToBytes());

        Assert.Equal([1L, 1L, TestVocabulary.Size], LogitsShape(decoder, standIn, offset: StandInWhisper.RealTextContext - 1));
        var error = Assert.Throws<OnnxRuntimeException>(() => LogitsShape(decoder, standIn, offset: StandInWhisper.RealTextContext));
        Assert.Contains("out of data bounds", error.Message);
    }

    /// <summary>The shape of the logits for one token fed at position <paramref name="offset"/>.</summary>
    private static long[] LogitsShape(InferenceSession decoder, StandInWhisper standIn, long offset)
    {
        long[] selfShape = [standIn.TextLayers, 1, standIn.TextContext, standIn.TextState];
        long[] crossShape = [standIn.TextLayers, 1, standIn.AudioContext, standIn.TextState];
        using var tokens = OrtValue.CreateTensorValueFromMemory(new long[] { 0 }, [1, 1]);
        using var selfKey = OrtValue.CreateTensorValueFromMemory(new float[standIn.TextLayers * standIn.TextContext * standIn.TextState], selfShape);
        using var selfValue = OrtValue.CreateTensorValueFromMemory(new float[standIn.TextLayers * standIn.TextContext * standIn.TextState], selfShape);
        using var crossKey = OrtValue.CreateTensorValueFromMemory(new float[standIn.TextLayers * standIn.AudioContext * standIn.TextState], crossShape);
        using var crossValue = OrtValue.CreateTensorValueFromMemory(new float[standIn.TextLayers * standIn.AudioContext * standIn.TextState], crossShape);
        using var position = OrtValue.CreateTensorValueFromMemory(new[] { offset }, [1]);
        using var runOptions = new RunOptions();
        using var outputs = decoder.Run(
            runOptions,
            [WhisperModel.TokensInput, WhisperModel.SelfKeyInput, WhisperModel.SelfValueInput, WhisperModel.CrossKey, WhisperModel.CrossValue, WhisperModel.OffsetInput],
            [tokens, selfKey, selfValue, crossKey, crossValue, position],
            [WhisperModel.LogitsOutput]);
        return outputs[0].GetTensorTypeAndShape().Shape;
    }
}
