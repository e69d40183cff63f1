namespace Muesli.Inference.Asr.Tdt;

/// <summary>
/// Greedy Token-and-Duration Transducer decoding. Pure over an <see cref="ITdtJoint"/>: prime the prediction network
/// with the blank; at encoder frame t take the best token and the best duration; a non-blank token is emitted at t and
/// fed back to the prediction network; t advances by the duration. A blank of duration 0 advances by one frame, and
/// after <c>maxSymbolsPerFrame</c> tokens on one frame the decoder moves on whatever the duration says.
/// </summary>
public static class TdtGreedyDecoder
{
    public const int DefaultMaxSymbolsPerFrame = 5;

    /// <summary>The durations of NeMo's TDT models, in the order of the joiner's duration scores.</summary>
    public static readonly IReadOnlyList<int> DefaultDurations = [0, 1, 2, 3, 4];

    /// <param name="joint">The utterance; <see cref="ITdtJoint.Predict"/> is called first with the blank.</param>
    /// <param name="tokens">Token scores per joiner output, the blank included.</param>
    /// <param name="durations">Frames advanced for each duration score, in order.</param>
    /// <returns>
    /// Each emitted token at the frame it was emitted on; it spans the frames its duration skips (at least one, never
    /// past the last frame), so <see cref="TimedToken.LastFrame"/> = frame + max(duration, 1) − 1.
    /// </returns>
    public static IReadOnlyList<TimedToken> Decode(
        ITdtJoint joint, int tokens, int blankId, IReadOnlyList<int> durations, int maxSymbolsPerFrame = DefaultMaxSymbolsPerFrame)
    {
        ArgumentNullException.ThrowIfNull(joint);
        ArgumentNullException.ThrowIfNull(durations);
        ArgumentOutOfRangeException.ThrowIfLessThan(tokens, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxSymbolsPerFrame, 1);
        if (blankId < 0 || blankId >= tokens)
        {
            throw new ArgumentOutOfRangeException(nameof(blankId), blankId, $"the blank must be one of the {tokens} tokens");
        }

        if (durations.Count == 0 || durations.Any(d => d < 0))
        {
            throw new ArgumentException($"durations must be a non-empty list of frame counts ≥ 0, got [{string.Join(", ", durations)}]", nameof(durations));
        }

        var frames = joint.Frames;
        var emitted = new List<TimedToken>();
        joint.Predict(blankId);
        var symbolsOnFrame = 0;
        for (var t = 0; t < frames;)
        {
            var scores = joint.Join(t);
            if (scores.Length != tokens + durations.Count)
            {
                throw new InvalidDataException(
                    $"the joiner gave {scores.Length} scores at frame {t}, expected {tokens} tokens + {durations.Count} durations");
            }

            var token = Scores.ArgMax(scores[..tokens]);
            var skip = durations[Scores.ArgMax(scores[tokens..])];
            if (token != blankId)
            {
                emitted.Add(new TimedToken(token, t, Math.Min(frames - 1, t + Math.Max(skip, 1) - 1)));
                joint.Predict(token);
                symbolsOnFrame++;
            }

            if (skip == 0 && (token == blankId || symbolsOnFrame >= maxSymbolsPerFrame))
            {
                skip = 1;
            }

            if (skip > 0)
            {
                t += skip;
                symbolsOnFrame = 0;
            }
        }

        return emitted;
    }
}
