using Muesli.TestWorld;
using Xunit;

namespace Muesli.Inference.Tests.ToneWorld;

public sealed class ToneMeetingGeneratorTests
{
    [Fact]
    public void The_same_seed_gives_the_same_meeting_and_another_seed_a_different_one()
    {
        var spec = new MeetingSpec { DurationSeconds = 120, Speakers = 3, Seed = 11, OverlapRatio = 0.2 };
        var first = ToneMeetingGenerator.Generate(spec);
        var again = ToneMeetingGenerator.Generate(spec);
        var other = ToneMeetingGenerator.Generate(spec with { Seed = 12 });

        Assert.Equal(first.Words, again.Words);
        Assert.Equal(first.Turns, again.Turns);
        Assert.Equal(first.Render("all", Muesli.Core.AudioFormat.Asr), again.Render("all", Muesli.Core.AudioFormat.Asr));
        Assert.NotEqual(first.Words, other.Words);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(4)]
    [InlineData(6)]
    public void Every_speaker_talks_and_no_one_else(int speakers)
    {
        var meeting = ToneMeetingGenerator.Generate(new MeetingSpec { DurationSeconds = 300, Speakers = speakers, Seed = 5 });

        var expected = Enumerable.Range(0, speakers).Select(s => $"SPEAKER_{s:00}").ToHashSet();
        Assert.Equal(expected, meeting.Turns.Select(t => t.Speaker).ToHashSet());
        Assert.Equal(expected, meeting.Words.Select(w => w.Speaker).ToHashSet());
    }

    [Fact]
    public void Words_follow_the_language_timing_and_never_sound_together()
    {
        var meeting = ToneMeetingGenerator.Generate(new MeetingSpec { DurationSeconds = 600, Speakers = 4, Seed = 3, OverlapRatio = 0.3 });

        Assert.All(meeting.Words, w =>
        {
            Assert.Contains(w.Text, ToneLanguage.Words);
            Assert.InRange(w.T1 - w.T0, 0.160 - 1e-9, 0.320 + 1e-9);
            Assert.True(w.T0 >= 0 && w.T1 <= meeting.Duration);
        });
        foreach (var (earlier, later) in meeting.Words.Zip(meeting.Words.Skip(1)))
        {
            Assert.InRange(later.T0 - earlier.T1, 0.080 - 1e-9, double.MaxValue);
            Assert.NotEqual(earlier.Text, later.Text);
        }
    }

    [Fact]
    public void Every_word_is_spoken_while_its_speakers_voice_is_on_and_turns_last_one_to_twenty_seconds()
    {
        var meeting = ToneMeetingGenerator.Generate(new MeetingSpec { DurationSeconds = 600, Speakers = 3, Seed = 8, OverlapRatio = 0.2 });

        Assert.All(meeting.Turns, t => Assert.InRange(t.T1 - t.T0, 1.0 - 1e-9, 20.0 + 1e-9));
        Assert.All(meeting.Words, w => Assert.Contains(meeting.Turns,
            t => t.Speaker == w.Speaker && t.Stream == w.Stream && t.T0 <= w.T0 && w.T1 <= t.T1));
        Assert.All(meeting.Turns, t => Assert.Contains(meeting.Words,
            w => w.Speaker == t.Speaker && t.T0 <= w.T0 && w.T1 <= t.T1));
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.1)]
    [InlineData(0.3)]
    public void The_overlap_ratio_is_the_share_of_turns_starting_before_the_previous_one_ends(double ratio)
    {
        var meeting = ToneMeetingGenerator.Generate(new MeetingSpec { DurationSeconds = 3600, Speakers = 3, Seed = 2, OverlapRatio = ratio });

        var turns = meeting.Turns;
        var overlapping = turns.Zip(turns.Skip(1)).Count(pair => pair.Second.T0 < pair.First.T1);
        var share = (double)overlapping / (turns.Count - 1);

        Assert.InRange(share, ratio - 0.02, ratio + 0.02);
        Assert.All(turns.Zip(turns.Skip(1)), pair => Assert.NotEqual(pair.First.Speaker, pair.Second.Speaker));
    }

    [Fact]
    public void Mic_speakers_talk_on_the_mic_stream_and_the_others_on_system()
    {
        var meeting = ToneMeetingGenerator.Generate(new MeetingSpec
        {
            DurationSeconds = 300,
            Speakers = 4,
            Seed = 4,
            MicSpeakers = [1, 3],
        });

        Assert.All(meeting.Words, w => Assert.Equal(
            w.Speaker is "SPEAKER_01" or "SPEAKER_03" ? ToneMeeting.MicStream : ToneMeeting.SystemStream, w.Stream));
        Assert.All(meeting.Turns, t => Assert.Equal(
            t.Speaker is "SPEAKER_01" or "SPEAKER_03" ? ToneMeeting.MicStream : ToneMeeting.SystemStream, t.Stream));
        Assert.Equal(
            string.Join(' ', meeting.Words.Where(w => w.Stream == "mic").OrderBy(w => w.T0).Select(w => w.Text)),
            meeting.ReferenceText("mic"));
        Assert.Equal(
            string.Join(' ', meeting.Words.Where(w => w.Stream == "system").OrderBy(w => w.T0).Select(w => w.Text)),
            meeting.ReferenceText("system"));
        Assert.Equal(meeting.Words.Count, meeting.ReferenceText().Split(' ').Length);
    }

    [Fact]
    public void Words_are_drawn_so_that_none_crowds_a_stretch_of_speech()
    {
        var meeting = ToneMeetingGenerator.Generate(new MeetingSpec { DurationSeconds = 1200, Speakers = 2, Seed = 9 });

        // Shuffled rounds of the vocabulary: any 20 consecutive words hold each word at most twice.
        var words = meeting.Words.Select(w => w.Text).ToArray();
        for (var i = 0; i + 20 <= words.Length; i++)
        {
            Assert.All(words.Skip(i).Take(20).GroupBy(w => w), g => Assert.InRange(g.Count(), 1, 2));
        }
    }

    [Theory]
    [InlineData(0, 0.0, 0.001)]
    [InlineData(7, 0.0, 0.001)]
    [InlineData(2, 1.5, 0.001)]
    [InlineData(2, 0.0, -0.1)]
    public void A_spec_it_cannot_honour_is_refused(int speakers, double overlap, double noise)
    {
        var spec = new MeetingSpec { Speakers = speakers, OverlapRatio = overlap, NoiseLevel = noise };

        Assert.Throws<ArgumentException>(() => ToneMeetingGenerator.Generate(spec));
    }

    [Fact]
    public void A_mic_speaker_that_does_not_exist_is_refused()
    {
        var error = Assert.Throws<ArgumentException>(
            () => ToneMeetingGenerator.Generate(new MeetingSpec { Speakers = 2, MicSpeakers = [2] }));

        Assert.Contains("mic speaker 2", error.Message);
    }

    [Fact]
    public void The_rttm_has_one_speaker_line_per_turn_in_the_nist_layout()
    {
        var meeting = ToneMeetingGenerator.Generate(new MeetingSpec { DurationSeconds = 120, Speakers = 3, Seed = 6, MicSpeakers = [0] });

        var lines = meeting.ToRttm("m1").Split('\n', StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal(meeting.Turns.Count, lines.Length);
        for (var i = 0; i < lines.Length; i++)
        {
            var fields = lines[i].Split(' ');
            var turn = meeting.Turns[i];
            Assert.Equal(["SPEAKER", "m1", "1"], fields[..3]);
            Assert.Equal(turn.T0, double.Parse(fields[3], System.Globalization.CultureInfo.InvariantCulture), 3);
            Assert.Equal(turn.T1 - turn.T0, double.Parse(fields[4], System.Globalization.CultureInfo.InvariantCulture), 3);
            Assert.Equal(["<NA>", "<NA>", turn.Speaker, "<NA>", "<NA>"], fields[5..]);
        }

        Assert.Equal(meeting.Turns.Count(t => t.Stream == "mic"), meeting.ToRttm("m1", "mic").Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Equal(
            meeting.Turns.Select(t => (t.Speaker, Math.Round(t.T0, 3), Math.Round(t.T1, 3))),
            Rttm.Parse(meeting.ToRttm("m1")).Select(t => (t.Speaker, Math.Round(t.T0, 3), Math.Round(t.T1, 3))));
    }

    [Fact]
    public void An_unknown_stream_name_is_refused()
    {
        var meeting = ToneMeetingGenerator.Generate(new MeetingSpec { DurationSeconds = 10 });

        Assert.Throws<ArgumentException>(() => meeting.ReferenceText("speakers"));
    }
}
