namespace Muesli.Core.Transcripts;

/// <summary>
/// A recognised word; times in seconds, on the window's clock until offset onto the meeting's. Confidence (0–1) only
/// where the engine scores its words; null otherwise, never a made-up 1.
/// </summary>
public sealed record Word(string Text, double Start, double End, double? Confidence = null)
{
    public double Mid => (Start + End) / 2;

    public Word Shift(double seconds) => this with { Start = Start + seconds, End = End + seconds };
}

/// <summary>A span of one speaker's activity as diarization labelled it.</summary>
public sealed record SpeakerSegment(double Start, double End, string Speaker)
{
    public double Duration => End - Start;

    public SpeakerSegment Shift(double seconds) => this with { Start = Start + seconds, End = End + seconds };
}

/// <summary>A word with the speaker the merge gave it.</summary>
public sealed record LabelledWord(Word Word, string Speaker)
{
    public LabelledWord Shift(double seconds) => this with { Word = Word.Shift(seconds) };
}

/// <summary>Consecutive words of one speaker: what the client shows as one line.</summary>
public sealed record Turn(string Speaker, double Start, double End, string Text, IReadOnlyList<Word> Words)
{
    public Turn Shift(double seconds) => this with
    {
        Start = Start + seconds,
        End = End + seconds,
        Words = Words.Select(w => w.Shift(seconds)).ToArray(),
    };
}

/// <summary>Moves a window's results onto the meeting clock.</summary>
public static class Offsets
{
    public static IReadOnlyList<Word> Shift(IReadOnlyList<Word> words, double seconds)
        => seconds == 0 ? words : words.Select(w => w.Shift(seconds)).ToArray();

    public static IReadOnlyList<SpeakerSegment> Shift(IReadOnlyList<SpeakerSegment> segments, double seconds)
        => seconds == 0 ? segments : segments.Select(s => s.Shift(seconds)).ToArray();

    public static IReadOnlyList<LabelledWord> Shift(IReadOnlyList<LabelledWord> words, double seconds)
        => seconds == 0 ? words : words.Select(w => w.Shift(seconds)).ToArray();

    public static IReadOnlyList<Turn> Shift(IReadOnlyList<Turn> turns, double seconds)
        => seconds == 0 ? turns : turns.Select(t => t.Shift(seconds)).ToArray();
}
