using Muesli.Inference.Asr.Tdt;

namespace Muesli.Inference.Tests.Tdt;

/// <summary>
/// A joint that plays a script of joiner answers, one per <see cref="Join"/> call, and checks that each call asks for
/// the frame the script expects. Every <see cref="Predict"/> is recorded.
/// </summary>
internal sealed class ScriptedJoint(int frames, int tokens, int durations, params ScriptedJoint.Step[] steps) : ITdtJoint
{
    /// <summary>At <paramref name="Frame"/> the joiner's best token is <paramref name="Token"/> and its best duration the one at <paramref name="DurationIndex"/>.</summary>
    public readonly record struct Step(int Frame, int Token, int DurationIndex);

    private readonly float[] scores = new float[tokens + durations];

    public int Frames { get; } = frames;

    public List<int> Predicted { get; } = [];

    public List<int> Visited { get; } = [];

    public void Predict(int token) => Predicted.Add(token);

    public ReadOnlySpan<float> Join(int frame)
    {
        Visited.Add(frame);
        Assert.True(Visited.Count <= steps.Length, $"the decoder asked for frame {frame} after the script ended (visits: {string.Join(", ", Visited)})");
        var step = steps[Visited.Count - 1];
        Assert.Equal(step.Frame, frame);
        for (var i = 0; i < scores.Length; i++)
        {
            scores[i] = -1f - (0.01f * i);
        }

        scores[step.Token] = 2f;
        scores[tokens + step.DurationIndex] = 3f;
        return scores;
    }
}
