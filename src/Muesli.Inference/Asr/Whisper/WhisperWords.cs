using Muesli.Core.Transcripts;

namespace Muesli.Inference.Asr.Whisper;

/// <summary>
/// Words of a segment, timed by an approximation: Whisper gives times per segment only, so the segment's span is
/// shared among its words in proportion to their length in characters (Unicode scalar values), without gaps.
/// Punctuation stays on its word. Pure.
/// </summary>
public static class WhisperWords
{
    public static IReadOnlyList<Word> Split(string text, double start, double end)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (end < start)
        {
            throw new ArgumentException($"the segment ends ({end}) before it starts ({start})", nameof(end));
        }

        var words = text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        var lengths = words.Select(w => w.EnumerateRunes().Count()).ToArray();
        var total = lengths.Sum();
        var result = new List<Word>(words.Length);
        var before = 0;
        for (var i = 0; i < words.Length; i++)
        {
            var wordStart = start + ((end - start) * before / total);
            before += lengths[i];
            var wordEnd = i == words.Length - 1 ? end : start + ((end - start) * before / total);
            result.Add(new Word(words[i], wordStart, wordEnd));
        }

        return result;
    }
}
