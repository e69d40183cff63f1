namespace Muesli.Inference.Asr.Whisper;

/// <summary>
/// The text decoder, one run at a time, with its self-attention caches kept between runs: the greedy loop's view of
/// the model, so the loop can be tested on hand-built logits.
/// </summary>
public interface IWhisperDecoderSteps
{
    /// <summary>
    /// Runs the decoder on <paramref name="tokens"/> placed at positions <paramref name="offset"/>… (positions before
    /// it hold what earlier runs fed) and returns their logits, row-major [tokens, vocabulary]. The span is valid until
    /// the next run.
    /// </summary>
    ReadOnlySpan<float> Run(ReadOnlySpan<int> tokens, int offset);
}
