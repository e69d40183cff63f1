using Muesli.Core.Merge;

namespace Muesli.Core.Tests.Merge;

public class JoinTextTests
{
    [Theory]
    [InlineData(new[] { "hello", "world" }, "hello world")]
    [InlineData(new[] { "Hello", ",", "world", "!" }, "Hello, world!")]
    [InlineData(new[] { "Really", "?", "Yes", ".", "No", ";", "maybe", ":" }, "Really? Yes. No; maybe:")]
    [InlineData(new[] { "(", "aside", ")", "[", "x", "]", "{", "y", "}" }, "( aside) [ x] { y}")]
    [InlineData(new[] { "it", "'s", "\"", "quoted", "\"" }, "it's\" quoted\"")]
    [InlineData(new[] { "wait", "...", "ok" }, "wait... ok")]
    public void Words_are_joined_with_spaces_and_closing_marks_attach_to_the_word_before(string[] words, string expected)
    {
        Assert.Equal(expected, SpeakerMerge.JoinText(words));
    }

    [Fact]
    public void Empty_and_blank_tokens_are_skipped_and_no_edge_spaces_remain()
    {
        Assert.Equal("a b", SpeakerMerge.JoinText(["", " ", " a ", "\t", "b  ", ""]));
    }

    [Fact]
    public void A_closing_mark_with_no_word_before_starts_the_text()
    {
        Assert.Equal(". next", SpeakerMerge.JoinText([".", "next"]));
    }

    [Fact]
    public void Nothing_joins_to_nothing()
    {
        Assert.Equal("", SpeakerMerge.JoinText([]));
    }

    [Fact]
    public void Letters_beyond_ascii_are_kept_as_they_are()
    {
        Assert.Equal("Grüße, Zoë.", SpeakerMerge.JoinText(["Grüße", ",", "Zoë", "."]));
    }
}
