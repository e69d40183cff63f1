namespace Muesli.TestWorld;

/// <summary>
/// Lays out a meeting on a millisecond grid: turns of 1–20 s by speakers in turn, pauses between them or, for the
/// overlap ratio's share of turns, a start before the previous turn ends. Words never sound at the same time, even in
/// an overlap: the later speaker's voice is on at once, but their first word waits until the earlier speaker's last
/// word has ended, so every word has exactly one true speaker.
/// </summary>
public static class ToneMeetingGenerator
{
    private const int LeadInMilliseconds = 500;
    private const int EndMarginMilliseconds = 300;
    private const int MinPauseMilliseconds = 200;
    private const int MaxPauseMilliseconds = 1500;
    private const int MinOverlapMilliseconds = 300;
    private const int MaxOverlapMilliseconds = 2000;

    /// <summary>Time between a voice's onset and its first word, and between its last word and its end.</summary>
    private const int VoiceMarginMilliseconds = 50;

    /// <summary>Deterministic by seed; well under a second per minute of audio.</summary>
    public static ToneMeeting Generate(MeetingSpec spec)
    {
        Validate(spec);
        var random = SeededRandom.For(spec.Seed, "meeting");
        var end = (int)Math.Round(spec.DurationSeconds * 1000) - EndMarginMilliseconds;
        var words = new List<TruthWord>();
        var turns = new List<TruthTurn>();
        var bag = new WordBag(random);
        var speakers = new SpeakerOrder(spec.Speakers, random);
        var mic = spec.MicSpeakers.ToHashSet();

        var previousStart = 0;
        var previousEnd = 0;
        var nextWordStart = 0;
        var overlapped = 0;
        var turnIndex = 0;
        while (true)
        {
            var length = random.Between(ToneLanguage.MinTurnMilliseconds, ToneLanguage.MaxTurnMilliseconds);
            var start = turnIndex == 0
                ? LeadInMilliseconds
                : previousEnd + random.Between(MinPauseMilliseconds, MaxPauseMilliseconds);
            if (turnIndex > 0 && spec.Speakers > 1 && overlapped + 1 <= spec.OverlapRatio * turnIndex + 1e-9)
            {
                var room = Math.Min(MaxOverlapMilliseconds, Math.Min(previousEnd - previousStart, length) / 2);
                if (room >= MinOverlapMilliseconds)
                {
                    start = previousEnd - random.Between(MinOverlapMilliseconds, room);
                    overlapped++;
                }
            }

            if (start + ToneLanguage.MinTurnMilliseconds > end)
            {
                break;
            }

            var speaker = speakers.Next();
            var label = ToneLanguage.SpeakerLabel(speaker);
            var stream = mic.Contains(speaker) ? ToneMeeting.MicStream : ToneMeeting.SystemStream;
            var turnEnd = Math.Min(start + length, end);
            var wordStart = Math.Max(start + VoiceMarginMilliseconds, nextWordStart);
            var spoken = 0;
            while (true)
            {
                var wordLength = random.Between(ToneLanguage.MinWordMilliseconds, ToneLanguage.MaxWordMilliseconds);
                var wordEnd = wordStart + wordLength;
                var fits = wordEnd + VoiceMarginMilliseconds <= turnEnd;
                if (!fits && !(spoken == 0 && wordEnd + VoiceMarginMilliseconds <= end))
                {
                    break;
                }

                words.Add(new TruthWord(bag.Next(), wordStart / 1000.0, wordEnd / 1000.0, label, stream));
                spoken++;
                turnEnd = Math.Max(turnEnd, wordEnd + VoiceMarginMilliseconds);
                nextWordStart = wordEnd + random.Between(ToneLanguage.MinGapMilliseconds, ToneLanguage.MaxGapMilliseconds);
                wordStart = nextWordStart;
            }

            if (spoken == 0)
            {
                break;
            }

            turns.Add(new TruthTurn(label, stream, start / 1000.0, turnEnd / 1000.0));
            previousStart = start;
            previousEnd = turnEnd;
            turnIndex++;
        }

        return new ToneMeeting(spec, words, turns);
    }

    private static void Validate(MeetingSpec spec)
    {
        if (!(spec.DurationSeconds > 0) || double.IsInfinity(spec.DurationSeconds))
        {
            throw new ArgumentException($"duration must be positive, got {spec.DurationSeconds} s");
        }

        if (spec.Speakers is < 1 or > ToneLanguage.MaxSpeakers)
        {
            throw new ArgumentException($"speakers must be 1–{ToneLanguage.MaxSpeakers}, got {spec.Speakers}");
        }

        if (spec.OverlapRatio is < 0 or > 1 || double.IsNaN(spec.OverlapRatio))
        {
            throw new ArgumentException($"overlap ratio must be in [0, 1], got {spec.OverlapRatio}");
        }

        if (spec.NoiseLevel is < 0 or >= 0.5 || double.IsNaN(spec.NoiseLevel))
        {
            throw new ArgumentException($"noise level must be in [0, 0.5), got {spec.NoiseLevel}");
        }

        foreach (var speaker in spec.MicSpeakers)
        {
            if (speaker < 0 || speaker >= spec.Speakers)
            {
                throw new ArgumentException(
                    $"mic speaker {speaker} does not exist: speakers are numbered 0–{spec.Speakers - 1}");
            }
        }
    }

    /// <summary>Words drawn as shuffled rounds of the whole vocabulary, so no word crowds any stretch of speech.</summary>
    private sealed class WordBag(SeededRandom random)
    {
        private readonly string[] round = ToneLanguage.Words.ToArray();
        private int next = int.MaxValue;

        public string Next()
        {
            if (next >= round.Length)
            {
                var last = next == int.MaxValue ? null : round[^1];
                random.Shuffle(round);
                if (round[0] == last)
                {
                    (round[0], round[^1]) = (round[^1], round[0]);
                }

                next = 0;
            }

            return round[next++];
        }
    }

    /// <summary>Every speaker once in a shuffled order, then at random but never the same speaker twice running.</summary>
    private sealed class SpeakerOrder
    {
        private readonly SeededRandom random;
        private readonly int[] firstRound;
        private int taken;
        private int previous = -1;

        public SpeakerOrder(int speakers, SeededRandom random)
        {
            this.random = random;
            firstRound = Enumerable.Range(0, speakers).ToArray();
            random.Shuffle(firstRound);
        }

        public int Next()
        {
            var speaker = taken < firstRound.Length
                ? firstRound[taken]
                : firstRound.Length == 1
                    ? 0
                    : (previous + random.Between(1, firstRound.Length - 1)) % firstRound.Length;
            taken++;
            previous = speaker;
            return speaker;
        }
    }
}
