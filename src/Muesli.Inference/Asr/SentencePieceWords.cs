using System.Text;
using Muesli.Core.Transcripts;

namespace Muesli.Inference.Asr;

/// <summary>
/// Words from timed SentencePiece tokens: a ▁-initial piece starts a word, the pieces after it continue it. Control
/// pieces (<see cref="TokenTable.IsControl"/>) are dropped, as the reference runtimes drop them.
/// </summary>
public static class SentencePieceWords
{
    /// <summary>
    /// A word starts at the first frame of its first token and ends after the last frame of its last token:
    /// [first · frameSeconds, (last + 1) · frameSeconds). Its text is its pieces joined, ▁ removed.
    /// </summary>
    public static IReadOnlyList<Word> Assemble(IReadOnlyList<TimedToken> tokens, TokenTable table, double frameSeconds)
    {
        var words = new List<Word>();
        var text = new StringBuilder();
        var first = 0;
        var last = 0;
        var open = false;
        foreach (var token in tokens.Where(t => !table.IsControl(t.Id)))
        {
            if (!open || table.StartsWord(token.Id))
            {
                Flush();
                first = token.FirstFrame;
                open = true;
            }

            text.Append(table[token.Id].Replace(TokenTable.WordStart.ToString(), string.Empty, StringComparison.Ordinal));
            last = token.LastFrame;
        }

        Flush();
        return words;

        void Flush()
        {
            // A lone ▁ piece carries no text of its own.
            if (text.Length > 0)
            {
                words.Add(new Word(text.ToString(), first * frameSeconds, (last + 1) * frameSeconds));
            }

            text.Clear();
        }
    }
}
