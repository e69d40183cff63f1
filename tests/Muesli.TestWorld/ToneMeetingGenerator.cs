namespace Muesli.TestWorld;

/// <summary>
/// Lays out a meeting on a millisecond grid: turns of 1–20 s by speakers in turn, pauses between them or, for the
/// overlap ratio's share of turns, a start before the previous turn ends. Words never sound at the same time, even in
/// an overlap: the later speaker's voice is on at once, but their first word waits until the earlier speaker's last
/// word has ended, so every word has exactly one true speaker. Silent stretches are opened in that speech afterwards, at
/// pauses where no voice sounds, so they split no turn and the speech keeps its layout.
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

    private const int MinSilentMilliseconds = 5000;
    private const int MaxSilentMilliseconds = 90000;
    private const double MaxSilentShare = 0.9;
    private const double MinSpeechSeconds = 1;

    /// <summary>Deterministic by seed; well under a second per minute of audio.</summary>
    public static ToneMeeting Generate(MeetingSpec spec)
    {
        Validate(spec);
        var drawnMilliseconds = (int)Math.Round(spec.SilentShare * spec.DurationSeconds * 1000);
        var silentSeconds = spec.Silences.Count > 0 ? spec.Silences.Sum(s => s.Seconds) : drawnMilliseconds / 1000.0;
        var (words, turns) = LayOutSpeech(spec, spec.DurationSeconds - silentSeconds);
        var insertions = spec.Silences.Count > 0
            ? PlaceAsked(spec.Silences, turns)
            : DrawSilences(spec.Seed, drawnMilliseconds, turns);
        return Insert(spec, words, turns, insertions);
    }

    /// <summary>The meeting as it would be without silences, <paramref name="seconds"/> long.</summary>
    private static (List<TruthWord> Words, List<TruthTurn> Turns) LayOutSpeech(MeetingSpec spec, double seconds)
    {
        var random = SeededRandom.For(spec.Seed, "meeting");
        var end = (int)Math.Round(seconds * 1000) - EndMarginMilliseconds;
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
            // Overlap whenever that keeps the running share of overlapping turns within the ratio.
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

        return (words, turns);
    }

    /// <summary>Each asked stretch, in time order, moved to the first moment at or after its time where no voice sounds.</summary>
    private static List<Insertion> PlaceAsked(IReadOnlyList<SilentStretch> asked, IReadOnlyList<TruthTurn> turns)
    {
        var voiced = Voiced(turns);
        var placed = new List<Insertion>();
        var inserted = 0.0;
        var cursor = 0.0;
        foreach (var stretch in asked.OrderBy(s => s.At))
        {
            // At is on the final clock, where the stretches before this one already sit.
            cursor = Math.Max(cursor, stretch.At - inserted);
            cursor = voiced.Where(v => v.T0 < cursor && cursor < v.T1).Select(v => v.T1).DefaultIfEmpty(cursor).First();
            placed.Add(new Insertion(cursor, stretch.Seconds, stretch.NoiseLevel));
            inserted += stretch.Seconds;
        }

        return placed;
    }

    /// <summary>The silent share cut into 5–90 s stretches of digital silence, put at pauses spread over the speech.</summary>
    private static List<Insertion> DrawSilences(int seed, int milliseconds, IReadOnlyList<TruthTurn> turns)
    {
        var random = SeededRandom.For(seed, "silences");
        var lengths = new List<int>();
        for (var left = milliseconds; left > 0; left -= lengths[^1])
        {
            // What is left after a stretch is nothing or enough for one more of the shortest length.
            var longest = left <= MaxSilentMilliseconds ? MaxSilentMilliseconds : Math.Min(MaxSilentMilliseconds, left - MinSilentMilliseconds);
            var length = random.Between(MinSilentMilliseconds, longest);
            lengths.Add(left - length < MinSilentMilliseconds ? left : length);
        }

        var voiced = Voiced(turns);
        var pauses = voiced.Zip(voiced.Skip(1), (before, after) => (From: Milliseconds(before.T1), To: Milliseconds(after.T0))).ToList();
        if (pauses.Count < lengths.Count)
        {
            // Too few pauses between turns: the lead-in and the end of the speech take stretches too.
            var speechEnd = voiced.Count > 0 ? Milliseconds(voiced[^1].T1) : 0;
            pauses = [(0, 0), .. pauses, (speechEnd, speechEnd)];
        }

        var placed = new List<Insertion>();
        for (var i = 0; i < lengths.Count; i++)
        {
            // One pause from each of as many equal runs of pauses as stretches spreads them; with fewer, some share one.
            var pause = pauses.Count >= lengths.Count
                ? pauses[random.Between(i * pauses.Count / lengths.Count, (i + 1) * pauses.Count / lengths.Count - 1)]
                : pauses[i * pauses.Count / lengths.Count];
            placed.Add(new Insertion(random.Between(pause.From, pause.To) / 1000.0, lengths[i] / 1000.0, 0));
        }

        return placed.OrderBy(p => p.At).ToList();
    }

    /// <summary>Opens each stretch, in time order, in the speech at its place: everything from there on moves later by its length.</summary>
    private static ToneMeeting Insert(MeetingSpec spec, List<TruthWord> words, List<TruthTurn> turns, List<Insertion> insertions)
    {
        var shiftAfter = new double[insertions.Count];
        var silences = new TruthSilence[insertions.Count];
        var opened = 0.0;
        for (var k = 0; k < insertions.Count; k++)
        {
            var before = opened;
            opened += insertions[k].Seconds;
            shiftAfter[k] = opened;
            silences[k] = new TruthSilence(insertions[k].At + before, insertions[k].At + opened, insertions[k].NoiseLevel);
        }

        double ShiftOf(double t)
        {
            var k = insertions.Count;
            while (k > 0 && insertions[k - 1].At > t)
            {
                k--;
            }

            return k == 0 ? 0 : shiftAfter[k - 1];
        }

        return new ToneMeeting(
            spec,
            words.Select(w =>
            {
                var shift = ShiftOf(w.T0);
                return w with { T0 = w.T0 + shift, T1 = w.T1 + shift };
            }).ToArray(),
            turns.Select(t =>
            {
                var shift = ShiftOf(t.T0);
                return t with { T0 = t.T0 + shift, T1 = t.T1 + shift };
            }).ToArray(),
            silences);
    }

    /// <summary>Where some voice sounds on some stream: the turns, merged where they overlap.</summary>
    private static List<(double T0, double T1)> Voiced(IReadOnlyList<TruthTurn> turns)
    {
        var voiced = new List<(double T0, double T1)>();
        foreach (var turn in turns.OrderBy(t => t.T0))
        {
            if (voiced.Count > 0 && turn.T0 < voiced[^1].T1)
            {
                voiced[^1] = (voiced[^1].T0, Math.Max(voiced[^1].T1, turn.T1));
            }
            else
            {
                voiced.Add((turn.T0, turn.T1));
            }
        }

        return voiced;
    }

    private static int Milliseconds(double seconds) => (int)Math.Round(seconds * 1000);

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

        ValidateSilences(spec);
    }

    private static void ValidateSilences(MeetingSpec spec)
    {
        if (spec.SilentShare is < 0 or >= MaxSilentShare || double.IsNaN(spec.SilentShare))
        {
            throw new ArgumentException($"silent share must be in [0, {MaxSilentShare}), got {spec.SilentShare}");
        }

        if (spec.SilentShare > 0 && spec.Silences.Count > 0)
        {
            throw new ArgumentException("give silent stretches or a silent share, not both");
        }

        foreach (var stretch in spec.Silences)
        {
            if (!(stretch.Seconds > 0) || double.IsInfinity(stretch.Seconds))
            {
                throw new ArgumentException($"silent stretch at {stretch.At} s must last a positive number of seconds, got {stretch.Seconds}");
            }

            if (!(stretch.At >= 0 && stretch.At <= spec.DurationSeconds))
            {
                throw new ArgumentException($"silent stretch at {stretch.At} s lies outside the meeting (0–{spec.DurationSeconds} s)");
            }

            if (stretch.NoiseLevel is < 0 or >= 0.5 || double.IsNaN(stretch.NoiseLevel))
            {
                throw new ArgumentException($"silent stretch at {stretch.At} s: noise level must be in [0, 0.5), got {stretch.NoiseLevel}");
            }
        }

        var silent = spec.Silences.Sum(s => s.Seconds) + spec.SilentShare * spec.DurationSeconds;
        if (spec.DurationSeconds - silent < MinSpeechSeconds)
        {
            throw new ArgumentException(
                $"{silent} s of silence leave {spec.DurationSeconds - silent} s of the {spec.DurationSeconds} s meeting: at least {MinSpeechSeconds} s must be speech");
        }

        // Pushed to a pause, a stretch only moves within the speech, so one that fits after its At fits where it lands.
        var fromHereOn = 0.0;
        foreach (var stretch in spec.Silences.OrderByDescending(s => s.At))
        {
            fromHereOn += stretch.Seconds;
            if (stretch.At + fromHereOn > spec.DurationSeconds + 1e-9)
            {
                throw new ArgumentException(
                    $"silent stretches from {stretch.At} s on last {fromHereOn} s and run past the meeting's end at {spec.DurationSeconds} s");
            }
        }
    }

    /// <summary>A silent stretch to open at <paramref name="At"/> s on the clock of the speech without silences.</summary>
    private readonly record struct Insertion(double At, double Seconds, double NoiseLevel);

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
