using Microsoft.ML.OnnxRuntime;

namespace Muesli.Inference.Asr.Whisper;

/// <summary>The encoder's output for one window: the cross-attention keys and values every decoder step reads.</summary>
public sealed class WhisperEncoding : IDisposable
{
    private readonly IDisposableReadOnlyCollection<OrtValue> outputs;

    internal WhisperEncoding(IDisposableReadOnlyCollection<OrtValue> outputs)
    {
        this.outputs = outputs;
    }

    /// <summary><c>n_layer_cross_k</c>, [n_text_layer, 1, n_audio_ctx, n_text_state].</summary>
    public OrtValue CrossKey => outputs[0];

    /// <summary><c>n_layer_cross_v</c>, shaped as <see cref="CrossKey"/>.</summary>
    public OrtValue CrossValue => outputs[1];

    public void Dispose() => outputs.Dispose();
}
