using System.Text;
using System.Text.Json;
using Muesli.Core.Protocol;

namespace Muesli.Core.Tests.Protocol;

public class MeetingStartTests
{
    private static MeetingStart Parse(string json)
    {
        Assert.True(MeetingStart.TryParse(Encoding.UTF8.GetBytes(json), out var start, out var error), error);
        Assert.Equal("", error);
        return start!;
    }

    private static string Reject(string json)
    {
        Assert.False(MeetingStart.TryParse(Encoding.UTF8.GetBytes(json), out var start, out var error));
        Assert.Null(start);
        return error;
    }

    [Fact]
    public void An_empty_object_gives_48_kHz_mono_for_both_streams()
    {
        var start = Parse("{}");

        Assert.Equal(new AudioFormat(48000, 1), start.System);
        Assert.Equal(new AudioFormat(48000, 1), start.Mic);
        Assert.Null(start.MeetingId);
    }

    [Fact]
    public void An_empty_payload_reads_as_an_empty_object()
    {
        Assert.True(MeetingStart.TryParse([], out var start, out _));

        Assert.Equal(new AudioFormat(48000, 1), start!.System);
        Assert.Equal(JsonValueKind.Object, start.Meta.ValueKind);
    }

    [Fact]
    public void Shared_rate_and_channels_apply_to_both_streams()
    {
        var start = Parse("""{"sample_rate":44100,"channels":2}""");

        Assert.Equal(new AudioFormat(44100, 2), start.FormatOf(StreamKind.System));
        Assert.Equal(new AudioFormat(44100, 2), start.FormatOf(StreamKind.Mic));
    }

    [Fact]
    public void Per_stream_fields_override_the_shared_ones_one_by_one()
    {
        var start = Parse("""{"sample_rate":44100,"channels":2,"mic_sample_rate":16000,"system_channels":1}""");

        Assert.Equal(new AudioFormat(44100, 1), start.System);
        Assert.Equal(new AudioFormat(16000, 2), start.Mic);
    }

    [Fact]
    public void Per_stream_fields_alone_fall_back_to_the_defaults_for_the_rest()
    {
        var start = Parse("""{"system_sample_rate":24000,"mic_channels":2}""");

        Assert.Equal(new AudioFormat(24000, 1), start.System);
        Assert.Equal(new AudioFormat(48000, 2), start.Mic);
    }

    [Fact]
    public void Whole_numbers_written_as_floats_or_strings_are_accepted_and_null_means_absent()
    {
        var start = Parse("""{"sample_rate":48000.0,"channels":"2","mic_sample_rate":null}""");

        Assert.Equal(new AudioFormat(48000, 2), start.Mic);
    }

    [Fact]
    public void The_range_ends_are_accepted()
    {
        Assert.Equal(new AudioFormat(8000, 8), Parse("""{"system_sample_rate":8000,"system_channels":8}""").System);
        Assert.Equal(new AudioFormat(192000, 1), Parse("""{"mic_sample_rate":192000,"mic_channels":1}""").Mic);
    }

    [Theory]
    [InlineData("""{"system_sample_rate":0}""", "invalid_meeting_start: system_sample_rate 0 is outside 8000..192000")]
    [InlineData("""{"sample_rate":7999}""", "invalid_meeting_start: sample_rate 7999 is outside 8000..192000")]
    [InlineData("""{"mic_sample_rate":192001}""", "invalid_meeting_start: mic_sample_rate 192001 is outside 8000..192000")]
    [InlineData("""{"sample_rate":1e400}""", "invalid_meeting_start: sample_rate 1e400 is outside 8000..192000")]
    [InlineData("""{"channels":0}""", "invalid_meeting_start: channels 0 is outside 1..8")]
    [InlineData("""{"mic_channels":9}""", "invalid_meeting_start: mic_channels 9 is outside 1..8")]
    [InlineData("""{"system_channels":-1}""", "invalid_meeting_start: system_channels -1 is outside 1..8")]
    [InlineData("""{"sample_rate":44100.5}""", "invalid_meeting_start: sample_rate 44100.5 is not a whole number")]
    [InlineData("""{"channels":"two"}""", "invalid_meeting_start: channels \"two\" is not a whole number")]
    [InlineData("""{"channels":true}""", "invalid_meeting_start: channels true is not a whole number")]
    public void A_bad_rate_or_channel_count_is_refused_naming_the_field(string json, string expected)
    {
        Assert.Equal(expected, Reject(json));
    }

    [Fact]
    public void A_bad_shared_rate_is_refused_even_when_both_streams_override_it()
    {
        Assert.StartsWith(
            "invalid_meeting_start: sample_rate 5 ",
            Reject("""{"sample_rate":5,"system_sample_rate":16000,"mic_sample_rate":16000}"""));
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("{\"sample_rate\":")]
    [InlineData("\u00ff\u00fe")]
    public void Input_that_is_not_json_is_refused(string payload)
    {
        Assert.StartsWith("invalid_meeting_start: not JSON (", Reject(payload));
    }

    [Theory]
    [InlineData("[1,2]", "array")]
    [InlineData("48000", "number")]
    [InlineData("null", "null")]
    public void Json_that_is_not_an_object_is_refused(string payload, string kind)
    {
        Assert.Equal($"invalid_meeting_start: expected a JSON object, got {kind}", Reject(payload));
    }

    [Theory]
    [InlineData("meeting-2024_11.24")]
    [InlineData("a")]
    [InlineData("abc.def")]
    public void A_good_meeting_id_is_kept(string id)
    {
        Assert.Equal(id, Parse($$"""{"meeting_id":"{{id}}"}""").MeetingId);
    }

    [Fact]
    public void A_meeting_id_of_the_maximum_length_is_kept()
    {
        var id = new string('x', 128);

        Assert.Equal(id, Parse($$"""{"meeting_id":"{{id}}"}""").MeetingId);
    }

    [Theory]
    [InlineData("\"\"")]
    [InlineData("\"a/b\"")]
    [InlineData("\"..\"")]
    [InlineData("\".\"")]
    [InlineData("\"caf\u00e9\"")]
    [InlineData("\"has space\"")]
    [InlineData("42")]
    public void A_bad_meeting_id_is_refused(string id)
    {
        Assert.StartsWith($"invalid_meeting_start: meeting_id {id} must be", Reject($$"""{"meeting_id":{{id}}}"""));
    }

    [Fact]
    public void A_meeting_id_above_the_maximum_length_is_refused_with_a_short_message()
    {
        var error = Reject($$"""{"meeting_id":"{{new string('x', 129)}}"}""");

        Assert.StartsWith("invalid_meeting_start: meeting_id \"xxx", error);
        Assert.True(error.Length < 160, error);
    }

    [Fact]
    public void A_null_meeting_id_is_no_meeting_id()
    {
        Assert.Null(Parse("""{"meeting_id":null}""").MeetingId);
    }

    [Fact]
    public void Meta_is_the_whole_payload_and_outlives_the_parse()
    {
        var payload = Encoding.UTF8.GetBytes("""{"sample_rate":16000,"title":"Weekly","tags":["a","b"]}""");

        Assert.True(MeetingStart.TryParse(payload, out var start, out _));
        Array.Clear(payload);
        GC.Collect();

        Assert.Equal("Weekly", start!.Meta.GetProperty("title").GetString());
        Assert.Equal(16000, start.Meta.GetProperty("sample_rate").GetInt32());
        Assert.Equal(2, start.Meta.GetProperty("tags").GetArrayLength());
    }
}
