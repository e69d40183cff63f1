using System.Text;
using Muesli.Inference.Asr.Whisper;

namespace Muesli.Inference.Tests.Whisper;

public sealed class WhisperTokensTests
{
    private static WhisperTokens Table() => WhisperTokens.Parse(TestVocabulary.TokenLines(), "tokens.txt");

    [Fact]
    public void Each_rank_holds_its_base64_decoded_bytes()
    {
        var tokens = Table();

        Assert.Equal(TestVocabulary.TextBytes.Length, tokens.Count);
        for (var id = 0; id < tokens.Count; id++)
        {
            Assert.Equal(TestVocabulary.TextBytes[id], tokens[id].ToArray());
        }
    }

    [Fact]
    public void Text_is_the_tokens_bytes_joined_then_decoded()
    {
        Assert.Equal(" And so my fellow Americans,", Table().Decode([1, 2, 3, 4, 5, 6, 7]));
    }

    [Fact]
    public void A_character_split_across_two_tokens_decodes_whole()
    {
        var tokens = Table();

        Assert.Equal(" ça", tokens.Decode([8, 9]));

        // Alone, each half is an incomplete UTF-8 sequence.
        Assert.Equal(" \uFFFD", tokens.Decode([8]));
        Assert.Equal("\uFFFDa", tokens.Decode([9]));
    }

    [Fact]
    public void Special_and_timestamp_ids_carry_no_text()
    {
        var tokens = Table();

        Assert.Equal(" so ça", tokens.Decode([TestVocabulary.At(0), 2, TestVocabulary.Eot, 8, TestVocabulary.Sot, 9, TestVocabulary.At(1)]));
    }

    [Fact]
    public void Ranks_may_come_in_any_order_and_blank_lines_are_skipped()
    {
        var lines = TestVocabulary.TokenLines().Reverse().Append(string.Empty).Prepend("  ");

        var tokens = WhisperTokens.Parse(lines, "tokens.txt");

        Assert.Equal(" And so", tokens.Decode([1, 2]));
    }

    [Fact]
    public void A_line_without_a_rank_is_named_with_its_line()
    {
        var error = Assert.Throws<InvalidDataException>(() => WhisperTokens.Parse(["IQ== 0", "Ig=="], "t.txt"));

        Assert.Equal("t.txt:2: expected 'base64 rank', found 'Ig=='", error.Message);
    }

    [Fact]
    public void A_token_that_is_not_base64_is_named()
    {
        var error = Assert.Throws<InvalidDataException>(() => WhisperTokens.Parse(["IQ== 0", "not*base64 1"], "t.txt"));

        Assert.Equal("t.txt:2: 'not*base64' is not a base64 token", error.Message);
    }

    [Fact]
    public void A_repeated_rank_is_named()
    {
        var error = Assert.Throws<InvalidDataException>(() => WhisperTokens.Parse(["IQ== 0", "Ig== 0"], "t.txt"));

        Assert.Equal("t.txt:2: rank 0 appears twice", error.Message);
    }

    [Fact]
    public void A_missing_rank_is_named()
    {
        var error = Assert.Throws<InvalidDataException>(() => WhisperTokens.Parse(["IQ== 0", "Ig== 2"], "t.txt"));

        Assert.Equal("t.txt: ranks must run 0..1 but 1 is missing (largest rank 2)", error.Message);
    }

    [Fact]
    public void A_missing_file_is_named()
    {
        var path = Path.Combine(Path.GetTempPath(), $"muesli-no-such-{Guid.NewGuid():N}.txt");

        var error = Assert.Throws<FileNotFoundException>(() => WhisperTokens.Load(path));

        Assert.Contains(path, error.Message);
    }

    [Fact]
    public void Load_reads_a_file_as_the_export_writes_it()
    {
        var path = Path.Combine(Path.GetTempPath(), $"muesli-tokens-{Guid.NewGuid():N}.txt");
        File.WriteAllLines(path, TestVocabulary.TokenLines(), Encoding.ASCII);
        try
        {
            var tokens = WhisperTokens.Load(path);

            Assert.Equal(path, tokens.Source);
            Assert.Equal(" my fellow", tokens.Decode([3, 4]));
        }
        finally
        {
            File.Delete(path);
        }
    }
}
