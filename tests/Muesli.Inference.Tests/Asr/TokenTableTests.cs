using Muesli.Inference.Asr;

namespace Muesli.Inference.Tests.Asr;

public sealed class TokenTableTests
{
    [Fact]
    public void Pieces_are_read_by_id_and_the_blank_is_the_last_id()
    {
        var table = TokenTable.Parse(["<unk> 0", "▁the 1", "s 2", "<blk> 3"], "tokens.txt");

        Assert.Equal(4, table.Count);
        Assert.Equal("▁the", table[1]);
        Assert.Equal(3, table.BlankId);
        Assert.True(table.StartsWord(1));
        Assert.False(table.StartsWord(2));
    }

    [Fact]
    public void Without_a_blk_piece_the_last_id_is_the_blank()
    {
        var table = TokenTable.Parse(["b 1", "a 0", "c 2", string.Empty], "tokens.txt");

        Assert.Equal(["a", "b", "c"], Enumerable.Range(0, table.Count).Select(i => table[i]));
        Assert.Equal(2, table.BlankId);
    }

    [Fact]
    public void A_blk_piece_is_the_blank_wherever_it_is()
    {
        var table = TokenTable.Parse(["<blk> 0", "▁a 1", "b 2"], "tokens.txt");

        Assert.Equal(0, table.BlankId);
    }

    [Theory]
    [InlineData("▁a")]
    [InlineData("▁a one")]
    [InlineData("▁a -1")]
    [InlineData(" 1")]
    public void Malformed_line_is_named_by_file_and_line(string bad)
    {
        var error = Assert.Throws<InvalidDataException>(() => TokenTable.Parse(["<unk> 0", bad, "<blk> 2"], "/m/tokens.txt"));

        Assert.Contains("/m/tokens.txt:2", error.Message);
        Assert.Contains("expected 'piece id'", error.Message);
    }

    [Fact]
    public void Duplicate_id_is_named()
    {
        var error = Assert.Throws<InvalidDataException>(() => TokenTable.Parse(["a 0", "b 1", "c 1"], "tokens.txt"));

        Assert.Contains("tokens.txt:3", error.Message);
        Assert.Contains("id 1", error.Message);
    }

    [Fact]
    public void Gap_in_ids_is_named()
    {
        var error = Assert.Throws<InvalidDataException>(() => TokenTable.Parse(["a 0", "b 1", "c 3"], "tokens.txt"));

        Assert.Contains("2 is missing", error.Message);
    }

    [Fact]
    public void Empty_file_is_an_error()
    {
        var error = Assert.Throws<InvalidDataException>(() => TokenTable.Parse(["", "  "], "tokens.txt"));

        Assert.Contains("no tokens", error.Message);
    }

    [Fact]
    public void Missing_file_is_named()
    {
        var error = Assert.Throws<FileNotFoundException>(() => TokenTable.Load("/nowhere/tokens.txt"));

        Assert.Contains("/nowhere/tokens.txt", error.Message);
    }

    [Fact]
    public void Files_with_windows_line_endings_load()
    {
        var path = Path.Combine(Path.GetTempPath(), $"muesli-tokens-{Guid.NewGuid():N}.txt");
        File.WriteAllText(path, "▁hi 0\r\nya 1\r\n<blk> 2\r\n");
        try
        {
            var table = TokenTable.Load(path);

            Assert.Equal("ya", table[1]);
            Assert.Equal(path, table.Source);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
