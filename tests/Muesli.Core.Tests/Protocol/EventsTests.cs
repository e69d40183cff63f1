using System.Text.Json;
using Muesli.Core.Protocol;
using static Muesli.Core.Protocol.MuesliEvents;

namespace Muesli.Core.Tests.Protocol;

/// <summary>Each event against the shape the protocol spec gives it: key order, names, JSON types and values.</summary>
public class EventsTests
{
    private static JsonElement Json(string text) => JsonDocument.Parse(text).RootElement.Clone();

    /// <summary>Same keys in the same order, same kinds, same values (numbers by value, 15 equals 15.0).</summary>
    private static void AssertSameJson(JsonElement expected, JsonElement actual, string path = "$")
    {
        var sameKind = expected.ValueKind == actual.ValueKind
            || (expected.ValueKind is JsonValueKind.True or JsonValueKind.False
                && actual.ValueKind is JsonValueKind.True or JsonValueKind.False);
        Assert.True(sameKind, $"{path}: expected {expected.ValueKind}, got {actual.ValueKind}");
        switch (expected.ValueKind)
        {
            case JsonValueKind.Object:
                var expectedProperties = expected.EnumerateObject().ToList();
                var actualProperties = actual.EnumerateObject().ToList();
                Assert.Equal(expectedProperties.Select(p => p.Name), actualProperties.Select(p => p.Name));
                foreach (var (e, a) in expectedProperties.Zip(actualProperties))
                {
                    AssertSameJson(e.Value, a.Value, $"{path}.{e.Name}");
                }

                break;
            case JsonValueKind.Array:
                Assert.Equal(expected.GetArrayLength(), actual.GetArrayLength());
                var index = 0;
                foreach (var (e, a) in expected.EnumerateArray().Zip(actual.EnumerateArray()))
                {
                    AssertSameJson(e, a, $"{path}[{index++}]");
                }

                break;
            case JsonValueKind.Number:
                Assert.Equal(expected.GetDouble(), actual.GetDouble());
                break;
            case JsonValueKind.String:
                Assert.Equal(expected.GetString(), actual.GetString());
                break;
            default:
                Assert.Equal(expected.ValueKind, actual.ValueKind);
                break;
        }
    }

    private static void AssertShape(string expected, MuesliEvent actual)
    {
        var line = actual.ToJson();
        Assert.DoesNotContain('\n', line);
        AssertSameJson(Json(expected), Json(line));
    }

    [Fact]
    public void Meeting_started_echoes_the_start_payload_as_meta()
    {
        var meta = Json("""{"sample_rate":48000,"channels":1,"title":"Stand-up"}""");

        AssertShape(
            """{"type":"status","message":"meeting_started","meta":{"sample_rate":48000,"channels":1,"title":"Stand-up"}}""",
            new MeetingStarted(meta));
    }

    [Fact]
    public void Meeting_resumed_names_the_meeting_and_its_segment_count()
    {
        AssertShape(
            """{"type":"status","message":"meeting_resumed","meeting_id":"m-1","segments":12}""",
            new MeetingResumed("m-1", 12));
    }

    [Fact]
    public void Live_process_start_and_done()
    {
        AssertShape(
            """{"type":"status","message":"live_process_start","stream":"system","duration":45.5,"finalize":false}""",
            new LiveProcessStart("system", 45.5, false));
        AssertShape(
            """{"type":"status","message":"live_process_done","stream":"mic","duration":60,"turns":3,"finalize":true}""",
            new LiveProcessDone("mic", 60, 3, true));
    }

    [Fact]
    public void Meeting_stopped()
    {
        AssertShape("""{"type":"status","message":"meeting_stopped"}""", new MeetingStopped());
    }

    [Theory]
    [InlineData("preparing")]
    [InlineData("transcribing")]
    [InlineData("diarizing")]
    [InlineData("merging")]
    [InlineData("recovering")]
    [InlineData("complete")]
    public void Batch_stages(string stage)
    {
        AssertShape($$"""{"type":"status","stage":"{{stage}}"}""", new Stage(stage));
    }

    [Fact]
    public void Meter()
    {
        AssertShape("""{"type":"meter","stream":"mic","t":1.25,"rms":0.125}""", new Meter("mic", 1.25, 0.125));
    }

    [Fact]
    public void Speakers_lists_every_known_id()
    {
        AssertShape(
            """
            {"type":"speakers","known":[{"speaker_id":"system:SPEAKER_00","name":"system:SPEAKER_00"},
                                        {"speaker_id":"mic:SPEAKER_01","name":"Ann"}]}
            """,
            new MuesliEvents.Speakers([new("system:SPEAKER_00", "system:SPEAKER_00"), new("mic:SPEAKER_01", "Ann")]));
    }

    [Fact]
    public void Segment()
    {
        AssertShape(
            """
            {"type":"segment","speaker":"SPEAKER_00","speaker_id":"system:SPEAKER_00","stream":"system",
             "t0":1.5,"t1":3.25,"text":"Hello, world."}
            """,
            new Segment("SPEAKER_00", "system:SPEAKER_00", "system", 1.5, 3.25, "Hello, world."));
    }

    [Fact]
    public void Partial()
    {
        AssertShape(
            """{"type":"partial","speaker_id":"mic:SPEAKER_01","stream":"mic","t0":70.5,"text":"and then"}""",
            new Partial("mic:SPEAKER_01", "mic", 70.5, "and then"));
    }

    [Fact]
    public void Error()
    {
        AssertShape("""{"type":"error","message":"no_audio_for_stream_mic"}""", new Error("no_audio_for_stream_mic"));
    }

    [Fact]
    public void Result_carries_turns_speakers_and_duration()
    {
        AssertShape(
            """
            {"type":"result",
             "turns":[{"speaker_id":"system:SPEAKER_00","stream":"system","t0":0.5,"t1":2,"text":"Hi."},
                      {"speaker_id":"mic:SPEAKER_00","stream":"mic","t0":2.5,"t1":4.75,"text":"Hello."}],
             "speakers":[{"speaker_id":"system:SPEAKER_00","name":"system:SPEAKER_00"},
                         {"speaker_id":"mic:SPEAKER_00","name":"mic:SPEAKER_00"}],
             "duration":5}
            """,
            new Result(
                [new("system:SPEAKER_00", "system", 0.5, 2, "Hi."), new("mic:SPEAKER_00", "mic", 2.5, 4.75, "Hello.")],
                [new("system:SPEAKER_00", "system:SPEAKER_00"), new("mic:SPEAKER_00", "mic:SPEAKER_00")],
                5));
    }

    [Fact]
    public void Result_turns_carry_their_words_only_when_given_and_a_confidence_only_when_known()
    {
        AssertShape(
            """
            {"type":"result",
             "turns":[{"speaker_id":"system:SPEAKER_00","stream":"system","t0":0.5,"t1":2,"text":"Hi there.",
                       "words":[{"text":"Hi","t0":0.5,"t1":0.9},{"text":"there.","t0":1.123,"t1":2,"confidence":0.912}]},
                      {"speaker_id":"mic:SPEAKER_00","stream":"mic","t0":2.5,"t1":4.75,"text":"Hello."}],
             "speakers":[],
             "duration":5}
            """,
            new Result(
                [
                    new("system:SPEAKER_00", "system", 0.5, 2, "Hi there.", [new("Hi", 0.5, 0.9), new("there.", 1.12349, 2, 0.91234)]),
                    new("mic:SPEAKER_00", "mic", 2.5, 4.75, "Hello."),
                ],
                [],
                5));
        AssertShape(
            """{"type":"segment","speaker":"S","speaker_id":"mic:S","stream":"mic","t0":1,"t1":2,"text":"yes","words":[{"text":"yes","t0":1,"t1":2,"confidence":0.5}]}""",
            new Segment("S", "mic:S", "mic", 1, 2, "yes", [new("yes", 1, 2, 0.5)]));
    }

    [Fact]
    public void Screenshot_echoes_its_fields_after_the_type()
    {
        var fields = Json("""{"path":"/tmp/shot.png","t":12.5,"window":{"app":"Keynote"}}""");

        AssertShape(
            """{"type":"screenshot","path":"/tmp/shot.png","t":12.5,"window":{"app":"Keynote"}}""",
            new Screenshot(fields));
    }

    [Fact]
    public void A_screenshot_keeps_its_own_type_out_so_the_event_stays_a_screenshot()
    {
        var fields = Json("""{"type":"capture","path":"a.png"}""");

        AssertShape("""{"type":"screenshot","path":"a.png"}""", new Screenshot(fields));
    }

    [Fact]
    public void Times_are_written_to_the_millisecond()
    {
        var json = Json(new Segment("S", "system:S", "system", 12.34567, 13.0004, "x").ToJson());

        Assert.Equal(12.346, json.GetProperty("t0").GetDouble());
        Assert.Equal(13.0, json.GetProperty("t1").GetDouble());
    }

    [Fact]
    public void Text_keeps_non_ascii_letters_readable()
    {
        var line = new Segment("S", "system:S", "system", 0, 1, "Grüße, Zoë").ToJson();

        Assert.Contains("\"text\":\"Grüße, Zoë\"", line);
        Assert.Equal("Grüße, Zoë", Json(line).GetProperty("text").GetString());
    }

    [Fact]
    public void Text_with_quotes_and_newlines_stays_one_valid_line()
    {
        var line = new Partial("system:S", "system", 0, "he said \"stop\"\nthen left").ToJson();

        Assert.DoesNotContain('\n', line);
        Assert.Equal("he said \"stop\"\nthen left", Json(line).GetProperty("text").GetString());
    }

    [Fact]
    public void ToString_is_the_json_line()
    {
        var error = new Error("x");

        Assert.Equal(error.ToJson(), error.ToString());
    }
}
