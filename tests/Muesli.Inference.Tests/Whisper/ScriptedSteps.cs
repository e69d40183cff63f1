using Muesli.Inference.Asr.Whisper;

namespace Muesli.Inference.Tests.Whisper;

/// <summary>
/// A decoder whose logits are written by hand: the row for the token at position p is <c>rows(p)</c>, a
/// full-vocabulary row. Records every run (tokens and offset).
/// </summary>
internal sealed class ScriptedSteps(int vocabularySize, Func<int, float[]> rows) : IWhisperDecoderSteps
{
    public const float Low = -10f;

    public List<(int[] Tokens, int Offset)> Runs { get; } = [];

    /// <summary>A row at <see cref="Low"/> everywhere but the given tokens.</summary>
    public static float[] Row(int size, params (int Token, float Logit)[] logits)
    {
        var row = Enumerable.Repeat(Low, size).ToArray();
        foreach (var (token, logit) in logits)
        {
            row[token] = logit;
        }

        return row;
    }

    /// <summary>Each position p makes <c>next[p]</c> the clear winner (eot after the script).</summary>
    public static ScriptedSteps Following(IReadOnlyList<int> next, int promptLength = 1, int size = TestVocabulary.Size)
        => new(size, p =>
        {
            var step = p - (promptLength - 1);
            var token = step >= 0 && step < next.Count ? next[step] : TestVocabulary.Eot;
            return Row(size, (token, 10f));
        });

    public ReadOnlySpan<float> Run(ReadOnlySpan<int> tokens, int offset)
    {
        Runs.Add((tokens.ToArray(), offset));
        var logits = new float[tokens.Length * vocabularySize];
        for (var i = 0; i < tokens.Length; i++)
        {
            rows(offset + i).CopyTo(logits, i * vocabularySize);
        }

        return logits;
    }
}
