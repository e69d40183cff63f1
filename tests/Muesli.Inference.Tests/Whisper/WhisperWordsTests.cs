using Muesli.Inference.Asr.Whisper;
using Muesli.Inference.Tests.Support;

namespace Muesli.Inference.Tests.Whisper;

public sealed class WhisperWordsTests
{
    [Fact]
    public void The_segment_is_shared_in_proportion_to_word_length()
    {
        // Lengths 3, 3 and 2 of 8 characters over 2 s starting at 10 s.
        var words = WhisperWords.Split(" And so, my", 10, 12);

        TimedAssert.Words([("And", 10, 10 + (2.0 * 3 / 8)), ("so,", 10 + (2.0 * 3 / 8), 10 + (2.0 * 6 / 8)), ("my", 10 + (2.0 * 6 / 8), 12)], words);
    }

    [Fact]
    public void Characters_count_as_unicode_scalars_not_utf16_units()
    {
        // "𝄞" is two UTF-16 units but one character, as "a" is.
        var words = WhisperWords.Split("𝄞 a", 0, 1);

        TimedAssert.Words([("𝄞", 0, 0.5), ("a", 0.5, 1)], words);
    }

    [Fact]
    public void Any_whitespace_separates_words()
    {
        var words = WhisperWords.Split("\tone\n two  ", 0, 6);

        TimedAssert.Words([("one", 0, 3), ("two", 3, 6)], words);
    }

    [Fact]
    public void A_segment_without_words_has_none()
    {
        Assert.Empty(WhisperWords.Split("   ", 0, 1));
        Assert.Empty(WhisperWords.Split(string.Empty, 0, 1));
    }

    [Fact]
    public void A_zero_length_segment_gives_its_words_its_instant()
    {
        TimedAssert.Words([("a", 3, 3), ("b", 3, 3)], WhisperWords.Split("a b", 3, 3));
    }

    [Fact]
    public void A_segment_that_ends_before_it_starts_is_refused()
    {
        Assert.Throws<ArgumentException>(() => WhisperWords.Split("a", 2, 1));
    }
}
