namespace Muesli.Inference.Asr.Tdt;

/// <summary>
/// One utterance as greedy TDT decoding sees it: the encoder's frames, a prediction network that the decoder advances
/// one token at a time, and the joiner that scores a frame against the current prediction.
/// </summary>
public interface ITdtJoint
{
    /// <summary>Encoder frames of the utterance.</summary>
    int Frames { get; }

    /// <summary>Feeds <paramref name="token"/> to the prediction network from its current state; its output and new state
    /// become what <see cref="Join"/> sees.</summary>
    void Predict(int token);

    /// <summary>
    /// The joiner's scores at encoder frame <paramref name="frame"/> against the current prediction: one per token
    /// (the blank included), then one per duration. Valid until the next call.
    /// </summary>
    ReadOnlySpan<float> Join(int frame);
}
