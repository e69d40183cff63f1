using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Muesli.Host.Tests;

/// <summary>
/// A subtitle cue as a file shows it. <see cref="Lines"/> are the visible lines (SRT: the speaker label included;
/// WebVTT: the voice tag removed, character references decoded). <see cref="Speaker"/>: the cue's label or voice, else
/// the speaker of the cue before. <see cref="Labelled"/>: the cue names its speaker (SRT label, WebVTT voice tag).
/// </summary>
public sealed record Cue(int Number, TimeSpan Start, TimeSpan End, string Speaker, bool Labelled, IReadOnlyList<string> Lines)
{
    /// <summary>The transcript's words in the cue, in order: the visible text split at spaces, without the SRT label.</summary>
    public IReadOnlyList<string> Words { get; init; } = [];

    public TimeSpan Duration => End - Start;
}

/// <summary>
/// The subtitle conventions <c>muesli transcribe</c> promises, checked on parsed cues. Each check throws an
/// <see cref="InvalidDataException"/> that names the cue and what is wrong.
/// </summary>
public static class Subtitles
{
    public const int MaxLines = 2;
    public const int MaxLineChars = 42;
    public static readonly TimeSpan MaxDuration = TimeSpan.FromSeconds(7);

    /// <summary>
    /// At most <see cref="MaxLines"/> lines of at most <see cref="MaxLineChars"/> visible characters (a line may be
    /// longer only when it is a single word, which is never cut), at most <see cref="MaxDuration"/> on screen.
    /// </summary>
    public static void CheckLimits(IReadOnlyList<Cue> cues)
    {
        foreach (var cue in cues)
        {
            if (cue.Lines.Count > MaxLines)
            {
                throw Bad(cue, $"has {cue.Lines.Count} lines, more than {MaxLines}");
            }

            foreach (var line in cue.Lines)
            {
                if (line.Length > MaxLineChars && line.Contains(' '))
                {
                    throw Bad(cue, $"line '{line}' has {line.Length} characters, more than {MaxLineChars}");
                }
            }

            if (cue.Duration > MaxDuration)
            {
                throw Bad(cue, $"lasts {cue.Duration.TotalSeconds:F3} s, more than {MaxDuration.TotalSeconds} s");
            }
        }
    }

    /// <summary>
    /// The cues' words, in order, are the turns' words (their texts split at whitespace), each under its turn's
    /// speaker: no word is lost, repeated or cut, and no cue spans two speakers. For turns that do not overlap in time.
    /// </summary>
    public static void CheckWords(IReadOnlyList<Cue> cues, IEnumerable<(string SpeakerId, string Text)> turns)
    {
        var expected = turns.SelectMany(t => Split(t.Text).Select(w => (t.SpeakerId, Word: w))).ToArray();
        var shown = cues.SelectMany(c => c.Words.Select(w => (Cue: c, Word: w))).ToArray();
        for (var i = 0; i < Math.Max(expected.Length, shown.Length); i++)
        {
            if (i >= shown.Length)
            {
                throw new InvalidDataException($"the cues end after {shown.Length} words; the transcript goes on with '{expected[i].Word}' ({expected[i].SpeakerId})");
            }

            if (i >= expected.Length)
            {
                throw Bad(shown[i].Cue, $"shows '{shown[i].Word}' after the transcript's last word");
            }

            if (shown[i].Word != expected[i].Word || shown[i].Cue.Speaker != expected[i].SpeakerId)
            {
                throw Bad(shown[i].Cue, $"word {i + 1} is '{shown[i].Word}' of {shown[i].Cue.Speaker}; the transcript has '{expected[i].Word}' of {expected[i].SpeakerId}");
            }
        }
    }

    internal static IEnumerable<string> Split(string text) => text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);

    internal static InvalidDataException Bad(Cue cue, string what) => new($"cue {cue.Number} ({cue.Start:hh\\:mm\\:ss\\.fff} --> {cue.End:hh\\:mm\\:ss\\.fff}) {what}");

    /// <summary>Blocks separated by one blank line, the last one followed by one too; no carriage returns, no byte-order mark.</summary>
    internal static string[][] Blocks(string text, string format)
    {
        if (text.Contains('\r') || text.StartsWith('\uFEFF'))
        {
            throw new InvalidDataException($"{format}: lines end with \\n alone, and there is no byte-order mark");
        }

        if (text.Length == 0)
        {
            return [];
        }

        if (!text.EndsWith("\n\n", StringComparison.Ordinal))
        {
            throw new InvalidDataException($"{format}: the last cue is not followed by a blank line");
        }

        var blocks = text[..^2].Split("\n\n").Select(b => b.Split('\n')).ToArray();
        for (var i = 0; i < blocks.Length; i++)
        {
            if (blocks[i].Any(l => l.Length == 0))
            {
                throw new InvalidDataException($"{format}: block {i + 1} ('{string.Join("\\n", blocks[i])}') has an extra blank line");
            }
        }

        return blocks;
    }

    /// <summary>The cue's start and end from <c>HH:MM:SS{mark}mmm --> HH:MM:SS{mark}mmm</c>: start before end, not before the last cue's end.</summary>
    internal static (TimeSpan Start, TimeSpan End) Timing(string line, char mark, int number, TimeSpan previousEnd, string format)
    {
        var clock = $@"(\d{{2,}}):([0-5]\d):([0-5]\d){Regex.Escape(mark.ToString())}(\d{{3}})";
        var match = Regex.Match(line, $"^{clock} --> {clock}$");
        if (!match.Success)
        {
            throw new InvalidDataException($"{format}: cue {number}: '{line}' is not 'HH:MM:SS{mark}mmm --> HH:MM:SS{mark}mmm'");
        }

        TimeSpan At(int g) => new TimeSpan(0, int.Parse(match.Groups[g].Value, CultureInfo.InvariantCulture), int.Parse(match.Groups[g + 1].Value, CultureInfo.InvariantCulture), int.Parse(match.Groups[g + 2].Value, CultureInfo.InvariantCulture))
            + TimeSpan.FromMilliseconds(int.Parse(match.Groups[g + 3].Value, CultureInfo.InvariantCulture));
        var (start, end) = (At(1), At(5));
        if (end <= start)
        {
            throw new InvalidDataException($"{format}: cue {number} ends ({line}) before it starts or when it starts");
        }

        if (start < previousEnd)
        {
            throw new InvalidDataException($"{format}: cue {number} starts before the cue before it ends ({previousEnd:hh\\:mm\\:ss\\.fff}): '{line}'");
        }

        return (start, end);
    }
}

/// <summary>A strict reader of the SubRip files <c>muesli transcribe</c> writes.</summary>
public static class Srt
{
    /// <summary>
    /// Cues numbered from 1 in steps of 1, each <c>N\nHH:MM:SS,mmm --> HH:MM:SS,mmm\ntext lines\n\n</c>, in time order,
    /// none overlapping the next. A line opening with <c>{speaker}: </c> (or a line that is just <c>{speaker}:</c>) for one
    /// of <paramref name="speakers"/> labels its cue; the first cue must be labelled, a later unlabelled one continues
    /// the speaker before, and a label anywhere but at a cue's start (a cue of two speakers) is refused.
    /// </summary>
    /// <exception cref="InvalidDataException">Any deviation, named by cue.</exception>
    public static IReadOnlyList<Cue> Parse(string text, IReadOnlyCollection<string> speakers)
    {
        var labels = speakers.Select(s => $"{s}:").OrderByDescending(l => l.Length).ToArray();
        var cues = new List<Cue>();
        foreach (var block in Subtitles.Blocks(text, "SRT"))
        {
            var number = cues.Count + 1;
            if (block[0] != number.ToString(CultureInfo.InvariantCulture))
            {
                throw new InvalidDataException($"SRT: cue {number} is numbered '{block[0]}'");
            }

            if (block.Length < 3)
            {
                throw new InvalidDataException($"SRT: cue {number} has {(block.Length < 2 ? "no timing line" : "no text")}");
            }

            var (start, end) = Subtitles.Timing(block[1], ',', number, cues.Count > 0 ? cues[^1].End : TimeSpan.Zero, "SRT");
            var lines = block[2..];
            if (lines.FirstOrDefault(l => l.Contains("-->", StringComparison.Ordinal)) is { } timing)
            {
                throw new InvalidDataException($"SRT: cue {number}'s text line '{timing}' is a timing line: a blank line is missing before it");
            }

            var label = labels.FirstOrDefault(l => lines[0] == l || lines[0].StartsWith(l + " ", StringComparison.Ordinal));
            if (lines.Skip(1).Select(l => labels.FirstOrDefault(b => l == b || l.StartsWith(b + " ", StringComparison.Ordinal))).FirstOrDefault(b => b is not null) is { } second)
            {
                throw new InvalidDataException($"SRT: cue {number} has a second speaker label '{second}' inside it");
            }

            var speaker = label?[..^1] ?? (cues.Count > 0 ? cues[^1].Speaker : throw new InvalidDataException($"SRT: cue {number}, the first, has no speaker label"));
            var words = Subtitles.Split(string.Join(' ', lines)).Skip(label is null ? 0 : 1).ToArray();
            if (words.Length == 0)
            {
                throw new InvalidDataException($"SRT: cue {number} has a label and no words");
            }

            cues.Add(new Cue(number, start, end, speaker, label is not null, lines) { Words = words });
        }

        return cues;
    }

    /// <summary>
    /// <see cref="Subtitles.CheckLimits"/> (the label counts toward its line), and a label exactly where the speaker
    /// changes: on the first cue and every cue whose speaker differs from the cue before, on no other.
    /// </summary>
    public static void CheckLimits(IReadOnlyList<Cue> cues)
    {
        Subtitles.CheckLimits(cues);
        for (var i = 0; i < cues.Count; i++)
        {
            var change = i == 0 || cues[i].Speaker != cues[i - 1].Speaker;
            if (cues[i].Labelled != change)
            {
                throw Subtitles.Bad(cues[i], change ? "starts another speaker's words without a label" : $"repeats the label of {cues[i].Speaker}, whose words the cue before already shows");
            }
        }
    }
}

/// <summary>A strict reader of the WebVTT files <c>muesli transcribe</c> writes.</summary>
public static class WebVtt
{
    private static readonly Regex Voice = new(@"^<v ([^>]+)>", RegexOptions.CultureInvariant);

    /// <summary>
    /// <c>WEBVTT</c> and a blank line, then cues <c>[identifier\n]HH:MM:SS.mmm --> HH:MM:SS.mmm\ntext lines\n\n</c> (no
    /// cue settings, no NOTE or STYLE blocks) in time order, none overlapping the next. Each cue opens with one voice
    /// tag <c>&lt;v speaker&gt;</c> (closed by <c>&lt;/v&gt;</c> at its end, or not at all); no other tag; <c>&amp;</c>,
    /// <c>&lt;</c>, <c>&gt;</c> written as character references.
    /// </summary>
    /// <exception cref="InvalidDataException">Any deviation, named by cue.</exception>
    public static IReadOnlyList<Cue> Parse(string text)
    {
        if (!text.StartsWith("WEBVTT\n\n", StringComparison.Ordinal))
        {
            throw new InvalidDataException("WebVTT: the file does not start with 'WEBVTT' and a blank line");
        }

        var cues = new List<Cue>();
        foreach (var block in Subtitles.Blocks(text["WEBVTT\n\n".Length..], "WebVTT"))
        {
            var number = cues.Count + 1;
            var timing = block[0].Contains("-->", StringComparison.Ordinal) ? 0 : 1;
            if (timing >= block.Length)
            {
                throw new InvalidDataException($"WebVTT: cue {number} ('{block[0]}') has no timing line");
            }

            var (start, end) = Subtitles.Timing(block[timing], '.', number, cues.Count > 0 ? cues[^1].End : TimeSpan.Zero, "WebVTT");
            var payload = block[(timing + 1)..];
            if (payload.Length == 0)
            {
                throw new InvalidDataException($"WebVTT: cue {number} has no text");
            }

            var voice = Voice.Match(payload[0]);
            if (!voice.Success)
            {
                throw new InvalidDataException($"WebVTT: cue {number} does not open with a voice tag: '{payload[0]}'");
            }

            var lines = payload.ToArray();
            lines[0] = lines[0][voice.Length..];
            if (lines[^1].EndsWith("</v>", StringComparison.Ordinal))
            {
                lines[^1] = lines[^1][..^"</v>".Length];
            }

            var visible = lines.Select(l => Decode(l, number)).ToArray();
            var words = Subtitles.Split(string.Join(' ', visible)).ToArray();
            if (words.Length == 0)
            {
                throw new InvalidDataException($"WebVTT: cue {number} has no words");
            }

            cues.Add(new Cue(number, start, end, Decode(voice.Groups[1].Value, number), Labelled: true, visible) { Words = words });
        }

        return cues;
    }

    /// <summary><see cref="Subtitles.CheckLimits"/>: the voice tag is not shown, so it counts toward no line.</summary>
    public static void CheckLimits(IReadOnlyList<Cue> cues) => Subtitles.CheckLimits(cues);

    private static string Decode(string text, int number)
    {
        if (text.Contains('<') || text.Contains('>') || text.Contains("-->", StringComparison.Ordinal))
        {
            throw new InvalidDataException($"WebVTT: cue {number}: '{text}' holds a tag, a bare '<' or '>', or '-->'");
        }

        if (Regex.IsMatch(text, "&(?!(amp|lt|gt);)"))
        {
            throw new InvalidDataException($"WebVTT: cue {number}: '{text}' has an '&' that is not &amp;, &lt; or &gt;");
        }

        return text.Replace("&lt;", "<").Replace("&gt;", ">").Replace("&amp;", "&");
    }
}

/// <summary>One RTTM SPEAKER line.</summary>
public sealed record RttmTurn(string File, double Onset, double Duration, string Speaker);

/// <summary>A strict reader of RTTM as <c>muesli transcribe</c> writes it (NIST RTTM, SPEAKER lines only).</summary>
public static class RttmStrict
{
    private static readonly Regex Seconds = new(@"^\d+\.\d{3}$", RegexOptions.CultureInvariant);

    /// <summary>
    /// Lines <c>SPEAKER &lt;file&gt; 1 &lt;onset&gt; &lt;duration&gt; &lt;NA&gt; &lt;NA&gt; &lt;speaker&gt; &lt;NA&gt; &lt;NA&gt;</c>,
    /// fields separated by one space, times with three decimals, durations above zero, one file id, onsets in order,
    /// each line ended by <c>\n</c>.
    /// </summary>
    /// <exception cref="InvalidDataException">Any deviation, named by line.</exception>
    public static IReadOnlyList<RttmTurn> Parse(string text)
    {
        if (text.Length == 0)
        {
            return [];
        }

        if (!text.EndsWith('\n') || text.Contains('\r'))
        {
            throw new InvalidDataException("RTTM: every line ends with \\n alone");
        }

        var turns = new List<RttmTurn>();
        foreach (var (line, i) in text[..^1].Split('\n').Select((l, i) => (l, i + 1)))
        {
            var f = line.Split(' ');
            if (f.Length != 10 || f.Any(x => x.Length == 0))
            {
                throw new InvalidDataException($"RTTM line {i}: '{line}' does not have 10 fields separated by single spaces");
            }

            if (f[0] != "SPEAKER" || f[2] != "1" || f[5] != "<NA>" || f[6] != "<NA>" || f[8] != "<NA>" || f[9] != "<NA>")
            {
                throw new InvalidDataException($"RTTM line {i}: '{line}' is not 'SPEAKER <file> 1 <onset> <duration> <NA> <NA> <speaker> <NA> <NA>'");
            }

            if (!Seconds.IsMatch(f[3]) || !Seconds.IsMatch(f[4]))
            {
                throw new InvalidDataException($"RTTM line {i}: onset '{f[3]}' and duration '{f[4]}' must be seconds with three decimals");
            }

            var turn = new RttmTurn(f[1], double.Parse(f[3], CultureInfo.InvariantCulture), double.Parse(f[4], CultureInfo.InvariantCulture), f[7]);
            if (turn.Duration <= 0)
            {
                throw new InvalidDataException($"RTTM line {i}: duration {f[4]} is not above zero");
            }

            if (turns.Count > 0 && turn.File != turns[0].File)
            {
                throw new InvalidDataException($"RTTM line {i}: file '{turn.File}' differs from '{turns[0].File}'");
            }

            if (turns.Count > 0 && turn.Onset < turns[^1].Onset)
            {
                throw new InvalidDataException($"RTTM line {i}: onset {f[3]} comes before the line before's");
            }

            turns.Add(turn);
        }

        return turns;
    }
}

/// <summary>The schema of <c>muesli transcribe</c>'s JSON transcript.</summary>
public static class TranscriptJson
{
    private static readonly Regex Millis = new(@"^-?\d+(\.\d{1,3})?$", RegexOptions.CultureInvariant);

    /// <summary>
    /// One object with exactly <c>file</c> (string), <c>duration</c> (seconds), <c>engines</c> (object of strings),
    /// <c>speakers</c> ([{speaker_id, name, seconds, words}]), <c>turns</c> ([{speaker_id, stream, t0, t1, text}]) and
    /// <c>words</c> ([{text, t0, t1, speaker_id[, confidence]}]); times to the millisecond with t0 ≤ t1; turns and words
    /// in time order; every turn's and word's speaker listed; a speaker's <c>seconds</c> the sum of its turns and, when
    /// there are words, its <c>words</c> the count of its words. Returns the root.
    /// </summary>
    /// <exception cref="InvalidDataException">Any deviation, with its JSON path.</exception>
    public static JsonElement Check(string json)
    {
        JsonElement root;
        try
        {
            root = JsonDocument.Parse(json).RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"JSON: not JSON ({e.Message})");
        }

        Keys(root, "$", [], ("file", JsonValueKind.String), ("duration", JsonValueKind.Number), ("engines", JsonValueKind.Object), ("speakers", JsonValueKind.Array), ("turns", JsonValueKind.Array), ("words", JsonValueKind.Array));
        Time(root.GetProperty("duration"), "$.duration");
        foreach (var engine in root.GetProperty("engines").EnumerateObject())
        {
            if (engine.Value.ValueKind != JsonValueKind.String)
            {
                throw new InvalidDataException($"JSON: $.engines.{engine.Name} is not a string");
            }
        }

        var speakers = Items(root, "speakers", ("speaker_id", JsonValueKind.String), ("name", JsonValueKind.String), ("seconds", JsonValueKind.Number), ("words", JsonValueKind.Number));
        var turns = Items(root, "turns", ("speaker_id", JsonValueKind.String), ("stream", JsonValueKind.String), ("t0", JsonValueKind.Number), ("t1", JsonValueKind.Number), ("text", JsonValueKind.String));
        var words = Items(root, "words", ["confidence"], ("text", JsonValueKind.String), ("t0", JsonValueKind.Number), ("t1", JsonValueKind.Number), ("speaker_id", JsonValueKind.String));
        var ids = speakers.Select(s => s.GetProperty("speaker_id").GetString()!).ToArray();
        if (ids.Distinct().Count() != ids.Length)
        {
            throw new InvalidDataException("JSON: $.speakers lists a speaker twice");
        }

        foreach (var (list, name) in new[] { (turns, "turns"), (words, "words") })
        {
            for (var i = 0; i < list.Length; i++)
            {
                var (t0, t1) = (Time(list[i].GetProperty("t0"), $"$.{name}[{i}].t0"), Time(list[i].GetProperty("t1"), $"$.{name}[{i}].t1"));
                if (t1 < t0)
                {
                    throw new InvalidDataException($"JSON: $.{name}[{i}] ends ({t1}) before it starts ({t0})");
                }

                if (i > 0 && t0 < list[i - 1].GetProperty("t0").GetDouble())
                {
                    throw new InvalidDataException($"JSON: $.{name}[{i}] starts before $.{name}[{i - 1}]");
                }

                if (!ids.Contains(list[i].GetProperty("speaker_id").GetString()))
                {
                    throw new InvalidDataException($"JSON: $.{name}[{i}]'s speaker {list[i].GetProperty("speaker_id")} is not in $.speakers");
                }

                if (list[i].TryGetProperty("confidence", out var confidence) && (confidence.ValueKind != JsonValueKind.Number || confidence.GetDouble() is < 0 or > 1))
                {
                    throw new InvalidDataException($"JSON: $.{name}[{i}].confidence is not a number from 0 to 1");
                }
            }
        }

        for (var i = 0; i < speakers.Length; i++)
        {
            var id = ids[i];
            var seconds = Time(speakers[i].GetProperty("seconds"), $"$.speakers[{i}].seconds");
            var spoken = turns.Where(t => t.GetProperty("speaker_id").GetString() == id).Sum(t => t.GetProperty("t1").GetDouble() - t.GetProperty("t0").GetDouble());
            if (Math.Abs(seconds - spoken) > 0.002 * Math.Max(1, turns.Length))
            {
                throw new InvalidDataException($"JSON: $.speakers[{i}].seconds is {seconds}; its turns last {spoken:F3} s");
            }

            var count = speakers[i].GetProperty("words").GetInt32();
            if (words.Length > 0 && count != words.Count(w => w.GetProperty("speaker_id").GetString() == id))
            {
                throw new InvalidDataException($"JSON: $.speakers[{i}].words is {count}; $.words has {words.Count(w => w.GetProperty("speaker_id").GetString() == id)} of {id}");
            }
        }

        return root;
    }

    private static JsonElement[] Items(JsonElement root, string name, params (string Name, JsonValueKind Kind)[] keys) => Items(root, name, [], keys);

    private static JsonElement[] Items(JsonElement root, string name, string[] optional, params (string Name, JsonValueKind Kind)[] keys)
    {
        var items = root.GetProperty(name).EnumerateArray().ToArray();
        for (var i = 0; i < items.Length; i++)
        {
            Keys(items[i], $"$.{name}[{i}]", optional, keys);
        }

        return items;
    }

    private static void Keys(JsonElement e, string path, string[] optional, params (string Name, JsonValueKind Kind)[] keys)
    {
        if (e.ValueKind != JsonValueKind.Object)
        {
            throw new InvalidDataException($"JSON: {path} is not an object");
        }

        var names = e.EnumerateObject().Select(p => p.Name).ToArray();
        var expected = keys.Select(k => k.Name).Concat(optional.Where(names.Contains)).ToArray();
        if (!names.Order(StringComparer.Ordinal).SequenceEqual(expected.Order(StringComparer.Ordinal)))
        {
            throw new InvalidDataException($"JSON: {path} has keys [{string.Join(", ", names)}]; expected [{string.Join(", ", keys.Select(k => k.Name))}]{(optional.Length > 0 ? $" and optionally [{string.Join(", ", optional)}]" : "")}");
        }

        foreach (var (name, kind) in keys)
        {
            if (e.GetProperty(name).ValueKind != kind)
            {
                throw new InvalidDataException($"JSON: {path}.{name} is {e.GetProperty(name).ValueKind}, expected {kind}");
            }
        }
    }

    private static double Time(JsonElement e, string path)
    {
        if (!Millis.IsMatch(e.GetRawText()) || e.GetDouble() < 0)
        {
            throw new InvalidDataException($"JSON: {path} is {e.GetRawText()}, not seconds ≥ 0 to the millisecond");
        }

        return e.GetDouble();
    }
}
