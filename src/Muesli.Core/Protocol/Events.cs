using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Muesli.Core.Protocol;

/// <summary>One JSONL event of the backend's stdout, in the exact shape of the protocol spec.</summary>
public abstract record MuesliEvent
{
    /// <summary>The event as one line of JSON, without the newline.</summary>
    public string ToJson()
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            WriteFields(writer);
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    // Sealed, or every derived record would synthesize its own ToString and hide the JSON line.
    public sealed override string ToString() => ToJson();

    protected abstract void WriteFields(Utf8JsonWriter w);

    /// <summary>Seconds as the client reads them: on the meeting clock, to the millisecond.</summary>
    protected static double Seconds(double t) => Math.Round(t, 3);

    private static readonly JsonWriterOptions WriterOptions = new()
    {
        // Text is the transcript: keep non-ASCII letters readable rather than \u-escaped.
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Indented = false,
    };
}

public static class MuesliEvents
{
    /// <summary><c>{"type":"status","message":"meeting_started","meta":{...START payload...}}</c></summary>
    /// <remarks>A node also names the meeting (<c>"meeting_id"</c>, made by the node when START had none); the backend does not.</remarks>
    public sealed record MeetingStarted(JsonElement Meta, string? MeetingId = null) : MuesliEvent
    {
        protected override void WriteFields(Utf8JsonWriter w)
        {
            w.WriteString("type", "status");
            w.WriteString("message", "meeting_started");
            if (MeetingId is not null)
            {
                w.WriteString("meeting_id", MeetingId);
            }

            w.WritePropertyName("meta");
            Meta.WriteTo(w);
        }
    }

    /// <summary>
    /// A persisted meeting was picked up; <c>segments</c> committed turns follow. On a node, <c>resume_pts_us</c> says
    /// where each stream's durable recording ends: the client resends from there (after a restart a quarter second
    /// earlier, which re-warms the resampler; what the log already holds is dropped).
    /// </summary>
    public sealed record MeetingResumed(string MeetingId, int Segments, IReadOnlyDictionary<string, long>? ResumePtsUs = null) : MuesliEvent
    {
        protected override void WriteFields(Utf8JsonWriter w)
        {
            w.WriteString("type", "status");
            w.WriteString("message", "meeting_resumed");
            w.WriteString("meeting_id", MeetingId);
            w.WriteNumber("segments", Segments);
            if (ResumePtsUs is not null)
            {
                w.WriteStartObject("resume_pts_us");
                foreach (var (stream, pts) in ResumePtsUs)
                {
                    w.WriteNumber(stream, pts);
                }

                w.WriteEndObject();
            }
        }
    }

    /// <summary>A node's status line to one client, e.g. <c>node_stopping</c> before it closes the connection.</summary>
    public sealed record NodeStatus(string Message) : MuesliEvent
    {
        protected override void WriteFields(Utf8JsonWriter w)
        {
            w.WriteString("type", "status");
            w.WriteString("message", Message);
        }
    }

    public sealed record LiveProcessStart(string Stream, double Duration, bool Finalize) : MuesliEvent
    {
        protected override void WriteFields(Utf8JsonWriter w)
        {
            w.WriteString("type", "status");
            w.WriteString("message", "live_process_start");
            w.WriteString("stream", Stream);
            w.WriteNumber("duration", Seconds(Duration));
            w.WriteBoolean("finalize", Finalize);
        }
    }

    /// <summary>
    /// How far a stream's full-file pass has come: <paramref name="Done"/> of its <paramref name="Windows"/> windows, the
    /// audio up to <paramref name="DoneSeconds"/> of <paramref name="TotalSeconds"/>. Not part of the app's protocol: only
    /// published to clients that asked for it (<c>muesli transcribe</c>'s progress).
    /// </summary>
    public sealed record PassProgress(string Stream, int Done, int Windows, double DoneSeconds, double TotalSeconds) : MuesliEvent
    {
        protected override void WriteFields(Utf8JsonWriter w)
        {
            w.WriteString("type", "status");
            w.WriteString("message", "final_pass_progress");
            w.WriteString("stream", Stream);
            w.WriteNumber("done", Done);
            w.WriteNumber("windows", Windows);
            w.WriteNumber("done_seconds", Seconds(DoneSeconds));
            w.WriteNumber("seconds", Seconds(TotalSeconds));
        }
    }

    public sealed record LiveProcessDone(string Stream, double Duration, int Turns, bool Finalize) : MuesliEvent
    {
        protected override void WriteFields(Utf8JsonWriter w)
        {
            w.WriteString("type", "status");
            w.WriteString("message", "live_process_done");
            w.WriteString("stream", Stream);
            w.WriteNumber("duration", Seconds(Duration));
            w.WriteNumber("turns", Turns);
            w.WriteBoolean("finalize", Finalize);
        }
    }

    public sealed record MeetingStopped : MuesliEvent
    {
        protected override void WriteFields(Utf8JsonWriter w)
        {
            w.WriteString("type", "status");
            w.WriteString("message", "meeting_stopped");
        }
    }

    /// <summary>Progress of the full-file pass: preparing, transcribing, diarizing, merging, recovering, complete.</summary>
    public sealed record Stage(string Name) : MuesliEvent
    {
        protected override void WriteFields(Utf8JsonWriter w)
        {
            w.WriteString("type", "status");
            w.WriteString("stage", Name);
        }
    }

    /// <summary>
    /// A stage of one stream in batch re-diarization (<c>muesli reprocess</c>): <c>{"type":"status","stage":…,"stream":…}</c>,
    /// with <c>"windows":N</c> on <c>recovering</c>. The backend's own stages stay <see cref="Stage"/>.
    /// </summary>
    public sealed record StreamStage(string Name, string Stream, int? Windows = null) : MuesliEvent
    {
        protected override void WriteFields(Utf8JsonWriter w)
        {
            w.WriteString("type", "status");
            w.WriteString("stage", Name);
            w.WriteString("stream", Stream);
            if (Windows is { } windows)
            {
                w.WriteNumber("windows", windows);
            }
        }
    }

    public sealed record Meter(string Stream, double T, double Rms) : MuesliEvent
    {
        protected override void WriteFields(Utf8JsonWriter w)
        {
            w.WriteString("type", "meter");
            w.WriteString("stream", Stream);
            w.WriteNumber("t", Seconds(T));
            w.WriteNumber("rms", Math.Round(Rms, 6));
        }
    }

    public sealed record KnownSpeaker(string SpeakerId, string Name);

    /// <summary>Cumulative list of speaker ids, sent when a new one appears.</summary>
    public sealed record Speakers(IReadOnlyList<KnownSpeaker> Known) : MuesliEvent
    {
        protected override void WriteFields(Utf8JsonWriter w)
        {
            w.WriteString("type", "speakers");
            w.WriteStartArray("known");
            foreach (var s in Known)
            {
                w.WriteStartObject();
                w.WriteString("speaker_id", s.SpeakerId);
                w.WriteString("name", s.Name);
                w.WriteEndObject();
            }

            w.WriteEndArray();
        }
    }

    /// <summary>
    /// A word's timing on the meeting clock, sent only when a client asks for it (<c>--emit-words</c>); its
    /// <c>"confidence"</c> only where the engine scores its words.
    /// </summary>
    public sealed record TimedWord(
        string Text,
        double T0,
        double T1,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] double? Confidence = null);

    /// <summary><c>"words":[{"text","t0","t1"[,"confidence"]}]</c>, times to the millisecond as every event's.</summary>
    private static void WriteWords(Utf8JsonWriter w, IReadOnlyList<TimedWord> words)
    {
        w.WriteStartArray("words");
        foreach (var word in words)
        {
            w.WriteStartObject();
            w.WriteString("text", word.Text);
            w.WriteNumber("t0", Math.Round(word.T0, 3));
            w.WriteNumber("t1", Math.Round(word.T1, 3));
            if (word.Confidence is { } confidence)
            {
                w.WriteNumber("confidence", Math.Round(confidence, 3));
            }

            w.WriteEndObject();
        }

        w.WriteEndArray();
    }

    /// <summary>A committed turn; <paramref name="Words"/>, when given, adds <c>"words":[{"text","t0","t1"}]</c>.</summary>
    public sealed record Segment(
        string Speaker,
        string SpeakerId,
        string Stream,
        double T0,
        double T1,
        string Text,
        IReadOnlyList<TimedWord>? Words = null) : MuesliEvent
    {
        protected override void WriteFields(Utf8JsonWriter w)
        {
            w.WriteString("type", "segment");
            w.WriteString("speaker", Speaker);
            w.WriteString("speaker_id", SpeakerId);
            w.WriteString("stream", Stream);
            w.WriteNumber("t0", Seconds(T0));
            w.WriteNumber("t1", Seconds(T1));
            w.WriteString("text", Text);
            if (Words is not null)
            {
                WriteWords(w, Words);
            }
        }
    }

    /// <summary>The newest turn not yet committed; sent only when it changed.</summary>
    public sealed record Partial(string SpeakerId, string Stream, double T0, string Text) : MuesliEvent
    {
        protected override void WriteFields(Utf8JsonWriter w)
        {
            w.WriteString("type", "partial");
            w.WriteString("speaker_id", SpeakerId);
            w.WriteString("stream", Stream);
            w.WriteNumber("t0", Seconds(T0));
            w.WriteString("text", Text);
        }
    }

    public sealed record Error(string Message) : MuesliEvent
    {
        protected override void WriteFields(Utf8JsonWriter w)
        {
            w.WriteString("type", "error");
            w.WriteString("message", Message);
        }
    }

    /// <summary>
    /// How a stream's live speaker ids map onto the full-file pass's consistent ids, so a client can relabel the
    /// live segments: <c>{"type":"speaker_map","stream":"system","map":{"system:SPEAKER_01":"system:SPEAKER_00"}}</c>.
    /// </summary>
    public sealed record SpeakerMap(string Stream, IReadOnlyDictionary<string, string> Map) : MuesliEvent
    {
        protected override void WriteFields(Utf8JsonWriter w)
        {
            w.WriteString("type", "speaker_map");
            w.WriteString("stream", Stream);
            w.WriteStartObject("map");
            foreach (var (live, final) in Map.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                w.WriteString(live, final);
            }

            w.WriteEndObject();
        }
    }

    /// <summary>A turn of the result; <paramref name="Words"/>, when given (<c>--emit-words</c>), adds <c>"words":[…]</c>.</summary>
    public sealed record ResultTurn(
        string SpeakerId,
        string Stream,
        double T0,
        double T1,
        string Text,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<TimedWord>? Words = null)
    {
        /// <summary>Writes the turn as the result event carries it; without <paramref name="words"/>, its words are left out.</summary>
        public void WriteTo(Utf8JsonWriter w, bool words = true)
        {
            w.WriteStartObject();
            w.WriteString("speaker_id", SpeakerId);
            w.WriteString("stream", Stream);
            w.WriteNumber("t0", Math.Round(T0, 3));
            w.WriteNumber("t1", Math.Round(T1, 3));
            w.WriteString("text", Text);
            if (words && Words is not null)
            {
                WriteWords(w, Words);
            }

            w.WriteEndObject();
        }
    }

    /// <summary>The full-file pass's transcript with meeting-wide speaker ids.</summary>
    public sealed record Result(IReadOnlyList<ResultTurn> Turns, IReadOnlyList<KnownSpeaker> Speakers, double Duration)
        : MuesliEvent
    {
        protected override void WriteFields(Utf8JsonWriter w)
        {
            w.WriteString("type", "result");
            w.WriteStartArray("turns");
            foreach (var t in Turns)
            {
                t.WriteTo(w);
            }

            w.WriteEndArray();
            w.WriteStartArray("speakers");
            foreach (var s in Speakers)
            {
                w.WriteStartObject();
                w.WriteString("speaker_id", s.SpeakerId);
                w.WriteString("name", s.Name);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteNumber("duration", Seconds(Duration));
        }
    }

    /// <summary>A SCREENSHOT_EVENT echoed as <c>{"type":"screenshot", ...its fields}</c>.</summary>
    public sealed record Screenshot(JsonElement Fields) : MuesliEvent
    {
        protected override void WriteFields(Utf8JsonWriter w)
        {
            w.WriteString("type", "screenshot");
            foreach (var p in Fields.EnumerateObject())
            {
                if (p.NameEquals("type"))
                {
                    continue;
                }

                p.WriteTo(w);
            }
        }
    }
}
