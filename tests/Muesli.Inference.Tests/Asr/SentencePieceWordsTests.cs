using Muesli.Core.Transcripts;
using Muesli.Inference.Asr;

namespace Muesli.Inference.Tests.Asr;

public sealed class SentencePieceWordsTests
{
    private static readonly TokenTable Table = TokenTable.Parse(
        ["<unk> 0", "▁he 1", "llo 2", "▁wor 3", "ld 4", "▁ 5", "▁a 6", "<blk> 7"], "tokens.txt");

    [Fact]
    public void Word_start_pieces_open_words_and_others_continue_them()
    {
        var tokens = new[] { new TimedToken(1, 2, 3), new TimedToken(2, 5, 5), new TimedToken(3, 7, 7), new TimedToken(4, 8, 9) };

        var words = SentencePieceWords.Assemble(tokens, Table, 0.08);

        Assert.Equal(["hello", "world"], words.Select(w => w.Text));
        Assert.Equal(2 * 0.08, words[0].Start, 1e-12);
        Assert.Equal((5 + 1) * 0.08, words[0].End, 1e-12);
        Assert.Equal(7 * 0.08, words[1].Start, 1e-12);
        Assert.Equal((9 + 1) * 0.08, words[1].End, 1e-12);
    }

    [Fact]
    public void A_leading_continuation_piece_still_makes_a_word()
    {
        var words = SentencePieceWords.Assemble([new TimedToken(4, 0, 0), new TimedToken(6, 3, 4)], Table, 0.04);

        Assert.Equal([new Word("ld", 0, 0.04), new Word("a", 0.12, 0.2)], words.Select(Round));
    }

    [Fact]
    public void A_lone_word_marker_joins_the_pieces_after_it_and_alone_makes_nothing()
    {
        var words = SentencePieceWords.Assemble(
            [new TimedToken(5, 1, 1), new TimedToken(2, 2, 2), new TimedToken(5, 6, 6)], Table, 0.08);

        Assert.Equal([new Word("llo", 0.08, 0.24)], words.Select(Round));
    }

    [Fact]
    public void Control_pieces_are_never_words_nor_parts_of_one()
    {
        // Parakeet v3's tokens.txt begins with such pieces; a decoder that emits one must not print it.
        var table = TokenTable.Parse(["<unk> 0", "<|nospeech|> 1", "<pad> 2", "<|endoftext|> 3", "<|en|> 4", "▁he 5", "llo 6", "▁a 7", "< 8", "<blk> 9"], "tokens.txt");
        var tokens = new[]
        {
            new TimedToken(1, 0, 0), new TimedToken(4, 1, 1), new TimedToken(5, 2, 2), new TimedToken(0, 3, 3), new TimedToken(6, 4, 4),
            new TimedToken(2, 5, 5), new TimedToken(7, 6, 6), new TimedToken(3, 7, 7), new TimedToken(8, 8, 8),
        };

        var words = SentencePieceWords.Assemble(tokens, table, 0.08);

        Assert.Equal([new Word("hello", 0.16, 0.4), new Word("a<", 0.48, 0.72)], words.Select(Round));
        Assert.Equal([true, true, true, true, true, false, false, false, false, true], Enumerable.Range(0, table.Count).Select(table.IsControl));
    }

    [Fact]
    public void No_tokens_no_words()
    {
        Assert.Empty(SentencePieceWords.Assemble([], Table, 0.08));
    }

    private static Word Round(Word w) => w with { Start = Math.Round(w.Start, 9), End = Math.Round(w.End, 9) };
}
