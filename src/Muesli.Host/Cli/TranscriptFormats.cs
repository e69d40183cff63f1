using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Muesli.Core.Protocol;

namespace Muesli.Host.Cli;

/// <summary>
/// What the transcript files of one recording are written from: its name (<see cref="FileId"/>, e.g. the file name
/// without extension), the meeting's final result, and the engines that made it (e.g. <c>asr</c>, <c>diarization</c>,
/// <c>vad</c>, <c>provider</c> → what ran).
/// </summary>
public sealed record TranscriptDocument(string FileId, MuesliEvents.Result Result, IReadOnlyDictionary<string, string> Engines);

/// <summary>
/// A meeting's final result written as the usual transcript and diarization formats: <c>txt</c> (speaker headings and
/// paragraphs), <c>json</c> (one object: file, duration, engines, speakers, turns, words), <c>srt</c> and <c>vtt</c>
/// (subtitles by the rules of <see cref="SubtitleCues"/>), <c>rttm</c> (one SPEAKER line per turn).
/// </summary>
public static class TranscriptFormats
{
    public static readonly IReadOnlyList<string> All = ["txt", "json", "srt", "vtt", "rttm"];

    /// <summary>
    /// The formats of a <c>--format</c> value: names separated by commas (spaces around them and letter case ignored,
    /// a repeated name kept once, in the order given), or <c>all</c> for every format of <see cref="All"/>.
    /// </summary>
    /// <exception cref="FormatException">The list names nothing, has an empty entry (<c>"txt,,srt"</c>), or names an unknown format; the message says which.</exception>
    public static IReadOnlyList<string> Parse(string list)
    {
        ArgumentNullException.ThrowIfNull(list);
        var names = list.Split(',').Select(n => n.Trim()).ToArray();
        if (names.All(n => n.Length == 0))
        {
            throw new FormatException($"no output format given; name one or more of {Known}, separated by commas");
        }

        var chosen = new List<string>();
        for (var i = 0; i < names.Length; i++)
        {
            var name = names[i].ToLowerInvariant();
            if (name.Length == 0)
            {
                throw new FormatException($"format list '{list}' has an empty entry at position {i + 1}; separate format names by single commas");
            }

            if (name != "all" && !All.Contains(name))
            {
                throw new FormatException($"unknown output format '{names[i]}'; known: {Known}");
            }

            chosen.AddRange((name == "all" ? All : [name]).Where(f => !chosen.Contains(f)).ToArray());
        }

        return chosen;
    }

    /// <summary>The document in <paramref name="format"/> (one of <see cref="All"/>), ending with a newline unless empty.</summary>
    /// <exception cref="ArgumentException">An unknown format (validate user input with <see cref="Parse"/>), or an empty file id.</exception>
    public static string Write(string format, TranscriptDocument doc)
    {
        ArgumentNullException.ThrowIfNull(doc);
        if (string.IsNullOrEmpty(doc.FileId))
        {
            throw new ArgumentException("a transcript document needs a file id", nameof(doc));
        }

        return format switch
        {
            "txt" => Text(doc.Result),
            "json" => Json(doc),
            "srt" => Srt(SubtitleCues.Plan(doc.Result)),
            "vtt" => Vtt(SubtitleCues.Plan(doc.Result)),
            "rttm" => Rttm(doc),
            _ => throw new ArgumentException($"unknown format '{format}' (known: {string.Join(", ", All)})", nameof(format)),
        };
    }

    private static string Known => $"{string.Join(", ", All)}, or all";

    /// <summary>A heading <c>[HH:MM:SS] speaker_id</c> whenever the speaker changes, then that speaker's turns as one paragraph.</summary>
    private static string Text(MuesliEvents.Result result)
    {
        var blocks = new List<string>();
        for (var i = 0; i < result.Turns.Count;)
        {
            var first = result.Turns[i];
            var paragraph = new List<string>();
            for (; i < result.Turns.Count && result.Turns[i].SpeakerId == first.SpeakerId; i++)
            {
                if (result.Turns[i].Text.Trim() is { Length: > 0 } text)
                {
                    paragraph.Add(text);
                }
            }

            var at = Milliseconds(first.T0);
            blocks.Add(string.Create(CultureInfo.InvariantCulture, $"[{at / 3_600_000:00}:{at / 60_000 % 60:00}:{at / 1000 % 60:00}] {first.SpeakerId}\n{string.Join(' ', paragraph)}\n"));
        }

        return string.Join("\n", blocks);
    }

    private static string Json(TranscriptDocument doc)
    {
        var result = doc.Result;
        var buffer = new ArrayBufferWriter<byte>(4096);
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            w.WriteString("file", doc.FileId);
            w.WriteNumber("duration", Seconds(result.Duration));
            w.WriteStartObject("engines");
            foreach (var (role, engine) in doc.Engines.OrderBy(e => e.Key, StringComparer.Ordinal))
            {
                w.WriteString(role, engine);
            }

            w.WriteEndObject();
            w.WriteStartArray("speakers");
            foreach (var (id, name) in SpeakersOf(result))
            {
                var turns = result.Turns.Where(t => t.SpeakerId == id).ToArray();
                w.WriteStartObject();
                w.WriteString("speaker_id", id);
                w.WriteString("name", name);
                w.WriteNumber("seconds", Seconds(turns.Sum(t => Math.Max(0, t.T1 - t.T0))));
                w.WriteNumber("words", turns.Sum(WordCount));
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteStartArray("turns");
            foreach (var t in result.Turns)
            {
                // The words are the document's own array, with speakers.
                t.WriteTo(w, words: false);
            }

            w.WriteEndArray();
            w.WriteStartArray("words");
            var words = result.Turns.SelectMany(t => (t.Words ?? []).Select(word => (Word: word, t.SpeakerId))).OrderBy(x => x.Word.T0);
            foreach (var (word, speakerId) in words)
            {
                w.WriteStartObject();
                w.WriteString("text", word.Text);
                w.WriteNumber("t0", Seconds(word.T0));
                w.WriteNumber("t1", Seconds(word.T1));
                w.WriteString("speaker_id", speakerId);
                if (word.Confidence is { } confidence)
                {
                    w.WriteNumber("confidence", Math.Round(confidence, 3));
                }

                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan) + "\n";
    }

    /// <summary>The result's speakers in its order, then any speaker of a turn it does not list.</summary>
    private static IEnumerable<(string Id, string Name)> SpeakersOf(MuesliEvents.Result result)
        => result.Speakers.Select(s => (s.SpeakerId, s.Name))
            .Concat(result.Turns.Select(t => (t.SpeakerId, t.SpeakerId)))
            .DistinctBy(s => s.Item1);

    /// <summary>The turn's timed words, or the words of its text for a result without them.</summary>
    private static int WordCount(MuesliEvents.ResultTurn turn)
        => turn.Words is { Count: > 0 } words ? words.Count : turn.Text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Length;

    private static string Srt(IReadOnlyList<SubtitleCue> cues)
    {
        var text = new StringBuilder();
        for (var i = 0; i < cues.Count; i++)
        {
            var cue = cues[i];
            var label = cue.Labelled ? $"{cue.SpeakerId}:" : null;
            text.Append(CultureInfo.InvariantCulture, $"{i + 1}\n{Clock(cue.StartMs, ',')} --> {Clock(cue.EndMs, ',')}\n");
            text.Append(string.Join('\n', SubtitleCues.Lines(cue.Words, label)));
            text.Append("\n\n");
        }

        return text.ToString();
    }

    /// <summary>Every cue names its speaker in a voice tag (invisible, so it costs no line length and repeats at no cost).</summary>
    private static string Vtt(IReadOnlyList<SubtitleCue> cues)
    {
        var text = new StringBuilder("WEBVTT\n\n");
        foreach (var cue in cues)
        {
            text.Append(CultureInfo.InvariantCulture, $"{Clock(cue.StartMs, '.')} --> {Clock(cue.EndMs, '.')}\n");
            text.Append(CultureInfo.InvariantCulture, $"<v {VttEscape(cue.SpeakerId)}>");
            text.Append(string.Join('\n', SubtitleCues.Lines(cue.Words, label: null).Select(VttEscape)));
            text.Append("\n\n");
        }

        return text.ToString();
    }

    private static string VttEscape(string text) => text.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;");

    private static string Rttm(TranscriptDocument doc)
    {
        var fileId = NoSpaces(doc.FileId);
        var text = new StringBuilder();
        foreach (var t in doc.Result.Turns)
        {
            var onset = Milliseconds(t.T0);
            var duration = Milliseconds(t.T1) - onset;
            if (duration <= 0)
            {
                // RTTM turns have a length; a zero-length turn says nothing about who spoke.
                continue;
            }

            text.Append(CultureInfo.InvariantCulture, $"SPEAKER {fileId} 1 {onset / 1000.0:F3} {duration / 1000.0:F3} <NA> <NA> {NoSpaces(t.SpeakerId)} <NA> <NA>\n");
        }

        return text.ToString();
    }

    private static string NoSpaces(string field) => string.Concat(field.Select(c => char.IsWhiteSpace(c) ? '_' : c));

    private static double Seconds(double t) => Math.Round(t, 3);

    internal static long Milliseconds(double seconds) => (long)Math.Round(Math.Max(0, seconds) * 1000);

    /// <summary><c>HH:MM:SS{mark}mmm</c>; hours grow past two digits rather than wrap.</summary>
    private static string Clock(long ms, char decimalMark)
        => string.Create(CultureInfo.InvariantCulture, $"{ms / 3_600_000:00}:{ms / 60_000 % 60:00}:{ms / 1000 % 60:00}{decimalMark}{ms % 1000:000}");
}
