namespace Muesli.Inference.Diarization.Sortformer;

/// <summary>
/// Keeps the speaker cache bounded: out of every frame it holds plus those just moved in from the FIFO, keep the
/// cache-length frames that best represent each speaker alone, grouped by speaker in arrival order, with a few
/// silence frames per speaker. This is NeMo's <c>SortformerModules._compress_spkcache</c> at inference (no speaker
/// permutation, no random noise), with the constants of its defaults and of the v2 model's configuration.
/// </summary>
/// <remarks>
/// Score of speaker s at frame t, with p clamped below at 0.25 and 1 − p likewise:
/// log p_s − log(1 − p_s) + Σ_k log(1 − p_k) + log 2 — high for one confident speaker, low in overlap. Frames where the
/// speaker is not active (p ≤ 0.5) never qualify; non-positive scores (usually overlap) are dropped too once the
/// speaker has enough positive ones. Frames newer than the cache get +0.05; each speaker's best frames get +2·log 2
/// (the first 0.75 × its share) and +log 2 (the first 1.5 × its share), so every speaker keeps frames and none takes
/// over. Ties go to the earlier frame.
/// </remarks>
public static class SpeakerCacheCompression
{
    /// <summary>Slots per speaker that hold the mean silence embedding.</summary>
    public const int SilenceFramesPerSpeaker = 3;

    /// <summary>The selection's marker for a slot that holds the mean silence embedding.</summary>
    public const int Silence = -1;

    private const float ProbabilityFloor = 0.25f;
    private const float SpeechThreshold = 0.5f;
    private const float LatestBoost = 0.05f;
    private const double StrongBoostRate = 0.75;
    private const double WeakBoostRate = 1.5;
    private const double MinPositiveRate = 0.5;

    private static readonly float Log2 = MathF.Log(2);

    /// <summary>
    /// The frame each of the <paramref name="cacheFrames"/> slots keeps, in cache order, or <see cref="Silence"/>.
    /// </summary>
    /// <param name="predictions">Row-major [frames, speakers] activities of the candidate frames.</param>
    public static int[] SelectFrames(ReadOnlySpan<float> predictions, int frames, int speakers, int cacheFrames)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(speakers, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(frames);
        ArgumentOutOfRangeException.ThrowIfLessThan(cacheFrames, (1 + SilenceFramesPerSpeaker) * speakers);
        if (predictions.Length != frames * speakers)
        {
            throw new ArgumentException($"{predictions.Length} predictions are not {frames} frames × {speakers} speakers", nameof(predictions));
        }

        var share = (cacheFrames / speakers) - SilenceFramesPerSpeaker;
        var scores = Scores(predictions, frames, speakers);
        DropUnreliable(scores, predictions, frames, speakers, (int)Math.Floor(share * MinPositiveRate));
        for (var i = cacheFrames * speakers; i < scores.Length; i++)
        {
            scores[i] += LatestBoost;
        }

        BoostBest(scores, frames, speakers, (int)Math.Floor(share * StrongBoostRate), 2 * Log2);
        BoostBest(scores, frames, speakers, (int)Math.Floor(share * WeakBoostRate), Log2);
        return Choose(scores, frames, speakers, cacheFrames);
    }

    /// <summary>
    /// Writes the kept frames' embeddings and activities (row-major, <paramref name="cacheFrames"/> rows); silence slots
    /// get <paramref name="silenceEmbedding"/> and zero activity.
    /// </summary>
    public static void Compress(
        ReadOnlySpan<float> embeddings,
        ReadOnlySpan<float> predictions,
        int frames,
        int speakers,
        ReadOnlySpan<float> silenceEmbedding,
        int cacheFrames,
        Span<float> keptEmbeddings,
        Span<float> keptPredictions)
    {
        var width = silenceEmbedding.Length;
        if (embeddings.Length != frames * width || keptEmbeddings.Length < cacheFrames * width || keptPredictions.Length < cacheFrames * speakers)
        {
            throw new ArgumentException(
                $"buffers do not fit {frames} frames of {width}-wide embeddings compressed to {cacheFrames} frames of {speakers} speakers");
        }

        var selection = SelectFrames(predictions, frames, speakers, cacheFrames);
        for (var slot = 0; slot < cacheFrames; slot++)
        {
            var embedding = keptEmbeddings.Slice(slot * width, width);
            var activity = keptPredictions.Slice(slot * speakers, speakers);
            if (selection[slot] == Silence)
            {
                silenceEmbedding.CopyTo(embedding);
                activity.Clear();
            }
            else
            {
                embeddings.Slice(selection[slot] * width, width).CopyTo(embedding);
                predictions.Slice(selection[slot] * speakers, speakers).CopyTo(activity);
            }
        }
    }

    private static float[] Scores(ReadOnlySpan<float> predictions, int frames, int speakers)
    {
        var scores = new float[frames * speakers];
        for (var t = 0; t < frames; t++)
        {
            var row = predictions.Slice(t * speakers, speakers);
            var allAbsent = 0f;
            foreach (var p in row)
            {
                allAbsent += MathF.Log(MathF.Max(1 - p, ProbabilityFloor));
            }

            for (var s = 0; s < speakers; s++)
            {
                var p = row[s];
                scores[(t * speakers) + s] = MathF.Log(MathF.Max(p, ProbabilityFloor)) - MathF.Log(MathF.Max(1 - p, ProbabilityFloor)) + allAbsent + Log2;
            }
        }

        return scores;
    }

    private static void DropUnreliable(float[] scores, ReadOnlySpan<float> predictions, int frames, int speakers, int minPositive)
    {
        for (var i = 0; i < scores.Length; i++)
        {
            if (predictions[i] <= SpeechThreshold)
            {
                scores[i] = float.NegativeInfinity;
            }
        }

        for (var s = 0; s < speakers; s++)
        {
            var positive = 0;
            for (var t = 0; t < frames; t++)
            {
                positive += scores[(t * speakers) + s] > 0 ? 1 : 0;
            }

            if (positive < minPositive)
            {
                continue;
            }

            for (var t = 0; t < frames; t++)
            {
                ref var score = ref scores[(t * speakers) + s];
                if (score <= 0)
                {
                    score = float.NegativeInfinity;
                }
            }
        }
    }

    private static void BoostBest(float[] scores, int frames, int speakers, int count, float amount)
    {
        var order = new int[frames];
        for (var s = 0; s < speakers; s++)
        {
            for (var t = 0; t < frames; t++)
            {
                order[t] = t;
            }

            var speaker = s;
            Array.Sort(order, (a, b) => Ranking(scores[(a * speakers) + speaker], a, scores[(b * speakers) + speaker], b));
            foreach (var t in order.AsSpan(0, Math.Min(count, frames)))
            {
                scores[(t * speakers) + s] += amount;
            }
        }
    }

    // Candidates run speaker by speaker, each speaker's frames followed by its silence slots (which always win).
    private static int[] Choose(float[] scores, int frames, int speakers, int cacheFrames)
    {
        var perSpeaker = frames + SilenceFramesPerSpeaker;
        var candidates = new int[speakers * perSpeaker];
        for (var i = 0; i < candidates.Length; i++)
        {
            candidates[i] = i;
        }

        float Score(int candidate)
        {
            var (s, t) = Math.DivRem(candidate, perSpeaker);
            return t < frames ? scores[(t * speakers) + s] : float.PositiveInfinity;
        }

        Array.Sort(candidates, (a, b) => Ranking(Score(a), a, Score(b), b));

        // Kept frames stay in candidate order; a pick with no score at all becomes a silence slot at the end.
        var kept = candidates.AsSpan(0, Math.Min(cacheFrames, candidates.Length)).ToArray();
        Array.Sort(kept, (a, b) => (float.IsNegativeInfinity(Score(a)), a).CompareTo((float.IsNegativeInfinity(Score(b)), b)));
        var selection = new int[cacheFrames];
        Array.Fill(selection, Silence);
        for (var slot = 0; slot < kept.Length; slot++)
        {
            var t = kept[slot] % perSpeaker;
            selection[slot] = t < frames && !float.IsNegativeInfinity(Score(kept[slot])) ? t : Silence;
        }

        return selection;
    }

    private static int Ranking(float scoreA, int a, float scoreB, int b)
    {
        var byScore = scoreB.CompareTo(scoreA);
        return byScore != 0 ? byScore : a.CompareTo(b);
    }
}
