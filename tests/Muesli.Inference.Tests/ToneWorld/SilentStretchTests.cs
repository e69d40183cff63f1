using System.Security.Cryptography;
using Muesli.Core;
using Muesli.TestWorld;
using Xunit;

namespace Muesli.Inference.Tests.ToneWorld;

public sealed class SilentStretchTests
{
    /// <summary>Fingerprints of meetings recorded before silent stretches existed: such meetings must not change.</summary>
    [Theory]
    [InlineData(16000, 1, "7A7EA1DFA2896B2467D1C819533E2CE4249A6ED65A26642340CA2579CDFC961D")]
    [InlineData(48000, 2, "A13E18113BC1A27944E40C67CB8E998AB218673CD4424418D284851233E2FABC")]
    public void A_meeting_without_silences_renders_as_it_did_before_they_existed(int rate, int channels, string expected)
    {
        var meeting = ToneMeetingGenerator.Generate(
            new MeetingSpec { DurationSeconds = 45, Speakers = 3, Seed = 17, OverlapRatio = 0.2, MicSpeakers = [1] });

        Assert.Equal(expected, Fingerprint(meeting, new AudioFormat(rate, channels)));
    }

    [Fact]
    public void A_digital_stretch_renders_exact_zeros_at_16_kHz_and_at_48_kHz_stereo_on_every_stream()
    {
        var meeting = ToneMeetingGenerator.Generate(
            new MeetingSpec { DurationSeconds = 40, Speakers = 3, Seed = 5, MicSpeakers = [1], Silences = [new SilentStretch(12, 6)] });
        var silence = Assert.Single(meeting.Silences);

        foreach (var format in new[] { AudioFormat.Asr, new AudioFormat(48000, 2) })
        {
            foreach (var stream in new[] { ToneMeeting.AllStreams, ToneMeeting.SystemStream, ToneMeeting.MicStream })
            {
                var audio = meeting.Render(stream, format);
                var (from, to) = Samples(silence, format);
                Assert.All(audio[(int)from..(int)to], s => Assert.Equal(0, s));

                // Around it the noise floor goes on.
                Assert.Contains(audio[(int)(from - format.Channels * 100)..(int)from], s => s != 0);
                Assert.Contains(audio[(int)to..(int)(to + format.Channels * 100)], s => s != 0);
            }
        }
    }

    [Fact]
    public void A_noise_stretch_has_the_asked_rms_in_place_of_the_floor_and_no_tone()
    {
        var meeting = ToneMeetingGenerator.Generate(new MeetingSpec
        {
            DurationSeconds = 40,
            Speakers = 2,
            Seed = 6,
            NoiseLevel = 0.002,
            Silences = [new SilentStretch(15, 8, 0.001)],
        });
        var silence = Assert.Single(meeting.Silences);
        Assert.Equal(0.001, silence.NoiseLevel);

        var audio = meeting.Render(ToneMeeting.AllStreams, AudioFormat.Asr);
        var (from, to) = Samples(silence, AudioFormat.Asr);
        var inside = audio[(int)from..(int)to];
        Assert.InRange(Rms(inside), 0.001 * 0.97, 0.001 * 1.03);
        foreach (var hz in Enumerable.Range(0, 2).Select(ToneLanguage.VoiceFrequency).Concat(ToneLanguage.WordFrequencies))
        {
            Assert.True(ToneAudio.Amplitude(audio, 16000, 1, 0, hz, from, inside.Length) < 0.05 * ToneLanguage.WordAmplitude, $"{hz} Hz sounds in the stretch");
        }

        // As the noise floor does, the stretch keeps its density per Hz at other rates.
        var wide = meeting.Render(ToneMeeting.AllStreams, new AudioFormat(48000, 1));
        var (wideFrom, wideTo) = Samples(silence, new AudioFormat(48000, 1));
        Assert.InRange(Rms(wide[(int)wideFrom..(int)wideTo]), 0.001 * Math.Sqrt(3) * 0.97, 0.001 * Math.Sqrt(3) * 1.03);
    }

    [Theory]
    [InlineData(0.0, 0)]
    [InlineData(0.3, 0)]
    [InlineData(0.3, 0.4)]
    [InlineData(0.5, 0.89)]
    public void No_truth_word_or_turn_overlaps_a_stretch(double overlap, double share)
    {
        var spec = new MeetingSpec { DurationSeconds = 600, Speakers = 4, Seed = 12, OverlapRatio = overlap, MicSpeakers = [0, 2] };
        var meeting = ToneMeetingGenerator.Generate(share > 0
            ? spec with { SilentShare = share }
            : spec with { Silences = [new SilentStretch(0, 7), new SilentStretch(33.3, 20, 0.001), new SilentStretch(200, 45), new SilentStretch(200, 5)] });

        Assert.NotEmpty(meeting.Silences);
        Assert.Equal(600, meeting.Duration);
        foreach (var silence in meeting.Silences)
        {
            Assert.InRange(silence.T0, 0, silence.T1);
            Assert.InRange(silence.T1, silence.T0, meeting.Duration + 1e-9);
            Assert.All(meeting.Words, w => Assert.True(w.T1 <= silence.T0 || w.T0 >= silence.T1, $"{w} sounds in {silence}"));
            Assert.All(meeting.Turns, t => Assert.True(t.T1 <= silence.T0 || t.T0 >= silence.T1, $"{t} sounds in {silence}"));
        }

        Assert.All(meeting.Words, w => Assert.InRange(w.T1, w.T0, meeting.Duration));
        Assert.All(meeting.Silences.Zip(meeting.Silences.Skip(1)), pair => Assert.True(pair.First.T1 <= pair.Second.T0 + 1e-9));
    }

    [Fact]
    public void Speech_after_a_stretch_moves_later_by_exactly_its_length()
    {
        var spec = new MeetingSpec { DurationSeconds = 120, Speakers = 3, Seed = 4, OverlapRatio = 0.3 };
        var without = ToneMeetingGenerator.Generate(spec with { DurationSeconds = 105 });
        var with = ToneMeetingGenerator.Generate(spec with { Silences = [new SilentStretch(41, 15)] });
        var silence = Assert.Single(with.Silences);

        // It starts at the first moment from 41 s on where no voice sounds: 41 s falls in a turn here.
        Assert.True(silence.T0 > 41, $"the stretch starts at {silence.T0}");
        Assert.Contains(without.Turns, t => t.T1 == silence.T0);
        Assert.DoesNotContain(without.Turns, t => t.T0 < silence.T0 && silence.T0 < t.T1);
        for (var t = 41.0; t < silence.T0; t += 0.01)
        {
            Assert.Contains(without.Turns, turn => turn.T0 <= t && t < turn.T1);
        }

        Assert.Equal(silence.T0 + 15, silence.T1);
        Assert.Equal(without.Words.Count, with.Words.Count);
        Assert.Equal(without.Turns.Count, with.Turns.Count);
        Assert.Equal(without.Words.Select(w => w.T0 < silence.T0 ? w : w with { T0 = w.T0 + 15, T1 = w.T1 + 15 }), with.Words);
        Assert.Equal(without.Turns.Select(t => t.T0 < silence.T0 ? t : t with { T0 = t.T0 + 15, T1 = t.T1 + 15 }), with.Turns);
        Assert.Contains(with.Words, w => w.T0 > silence.T1);
    }

    [Fact]
    public void Leading_and_trailing_stretches_frame_the_speech()
    {
        var spec = new MeetingSpec { DurationSeconds = 90, Seed = 7 };
        var without = ToneMeetingGenerator.Generate(spec with { DurationSeconds = 60 });
        var with = ToneMeetingGenerator.Generate(spec with { Silences = [new SilentStretch(0, 10), new SilentStretch(70, 20, 0.0005)] });

        Assert.Equal([new TruthSilence(0, 10, 0), new TruthSilence(70, 90, 0.0005)], with.Silences);
        Assert.Equal(without.Words.Select(w => w with { T0 = w.T0 + 10, T1 = w.T1 + 10 }), with.Words);
        Assert.Equal(without.Words[0].T0 + 10, with.Words[0].T0);
        Assert.Equal((long)Math.Round(90.0 * 16000), with.Render(ToneMeeting.AllStreams, AudioFormat.Asr).Length);
    }

    [Theory]
    [InlineData(600, 1)]
    [InlineData(1800, 2)]
    [InlineData(3600, 3)]
    public void A_silent_share_of_30_percent_is_cut_into_5_to_90_s_stretches_spread_over_the_meeting(double duration, int seed)
    {
        var meeting = ToneMeetingGenerator.Generate(new MeetingSpec { DurationSeconds = duration, Speakers = 3, Seed = seed, SilentShare = 0.3 });

        var silent = meeting.Silences.Sum(s => s.T1 - s.T0);
        Assert.InRange(silent, 0.3 * duration * 0.99, 0.3 * duration * 1.01);
        Assert.All(meeting.Silences, s =>
        {
            Assert.InRange(s.T1 - s.T0, 5 - 1e-9, 90 + 1e-9);
            Assert.Equal(0, s.NoiseLevel);
        });

        // At distinct pauses between turns: speech on both sides of every stretch.
        Assert.All(meeting.Silences, s => Assert.Contains(meeting.Words, w => w.T1 <= s.T0));
        Assert.All(meeting.Silences, s => Assert.Contains(meeting.Words, w => w.T0 >= s.T1));
        Assert.All(meeting.Silences.Zip(meeting.Silences.Skip(1)), pair => Assert.Contains(
            meeting.Words, w => w.T0 >= pair.First.T1 && w.T1 <= pair.Second.T0));
        Assert.True(meeting.Silences[0].T0 < duration / 2 && meeting.Silences[^1].T1 > duration / 2, "stretches spread over the meeting");
    }

    [Fact]
    public void A_share_too_small_for_a_five_second_stretch_gives_one_shorter_stretch()
    {
        var meeting = ToneMeetingGenerator.Generate(new MeetingSpec { DurationSeconds = 60, Seed = 3, SilentShare = 0.05 });

        var silence = Assert.Single(meeting.Silences);
        Assert.Equal(3, silence.T1 - silence.T0, 9);
    }

    [Fact]
    public void The_same_seed_gives_the_same_silences_and_another_seed_others()
    {
        var spec = new MeetingSpec { DurationSeconds = 300, Speakers = 2, Seed = 9, SilentShare = 0.3 };
        var first = ToneMeetingGenerator.Generate(spec);
        var again = ToneMeetingGenerator.Generate(spec);
        var other = ToneMeetingGenerator.Generate(spec with { Seed = 10 });

        Assert.Equal(first.Silences, again.Silences);
        Assert.Equal(first.Words, again.Words);
        Assert.Equal(first.Render(ToneMeeting.AllStreams, AudioFormat.Asr), again.Render(ToneMeeting.AllStreams, AudioFormat.Asr));
        Assert.NotEqual(first.Silences, other.Silences);
    }

    [Fact]
    public void The_truth_file_lists_the_silences()
    {
        var meeting = ToneMeetingGenerator.Generate(
            new MeetingSpec { DurationSeconds = 30, Seed = 2, Silences = [new SilentStretch(0, 4), new SilentStretch(10, 5, 0.001)] });
        var folder = Directory.CreateTempSubdirectory("tone-silence-").FullName;
        try
        {
            meeting.WriteTo(folder, AudioFormat.Asr);

            using var truth = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "truth.json")));
            var silences = truth.RootElement.GetProperty("silences").EnumerateArray()
                .Select(s => new TruthSilence(s.GetProperty("t0").GetDouble(), s.GetProperty("t1").GetDouble(), s.GetProperty("noise").GetDouble()));
            Assert.Equal(meeting.Silences.Select(s => s with { T0 = Math.Round(s.T0, 3), T1 = Math.Round(s.T1, 3) }), silences);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Theory]
    [InlineData(10, -1, 0, 0, "positive")]
    [InlineData(10, double.NaN, 0, 0, "positive")]
    [InlineData(10, 0, 0, 0, "positive")]
    [InlineData(-1, 5, 0, 0, "outside the meeting")]
    [InlineData(61, 5, 0, 0, "outside the meeting")]
    [InlineData(double.NaN, 5, 0, 0, "outside the meeting")]
    [InlineData(10, 5, -0.001, 0, "noise level")]
    [InlineData(0, 59.5, 0, 0, "at least 1 s must be speech")]
    [InlineData(50, 15, 0, 0, "run past the meeting's end")]
    [InlineData(10, 5, 0, 0.2, "not both")]
    [InlineData(double.NaN, 0, 0, 0.9, "silent share")]
    [InlineData(double.NaN, 0, 0, -0.1, "silent share")]
    [InlineData(double.NaN, 0, 0, double.NaN, "silent share")]
    public void A_silence_it_cannot_honour_is_refused(double at, double seconds, double noise, double share, string why)
    {
        var spec = new MeetingSpec
        {
            DurationSeconds = 60,
            SilentShare = share,
            Silences = seconds == 0 && share != 0 ? [] : [new SilentStretch(at, seconds, noise)],
        };

        var error = Assert.Throws<ArgumentException>(() => ToneMeetingGenerator.Generate(spec));

        Assert.Contains(why, error.Message);
    }

    [Fact]
    public void A_share_leaving_less_than_a_second_of_speech_is_refused()
    {
        var error = Assert.Throws<ArgumentException>(
            () => ToneMeetingGenerator.Generate(new MeetingSpec { DurationSeconds = 5, SilentShare = 0.85 }));

        Assert.Contains("at least 1 s must be speech", error.Message);
    }

    private static (long From, long To) Samples(TruthSilence silence, AudioFormat format)
        => ((long)Math.Ceiling(silence.T0 * format.SampleRate) * format.Channels, (long)Math.Ceiling(silence.T1 * format.SampleRate) * format.Channels);

    private static double Rms(short[] samples) => Math.Sqrt(samples.Average(s => (s / 32767.0) * (s / 32767.0)));

    /// <summary>SHA-256 of every file <see cref="ToneMeeting.WriteTo"/> writes, in name order.</summary>
    private static string Fingerprint(ToneMeeting meeting, AudioFormat format)
    {
        var folder = Directory.CreateTempSubdirectory("tone-silence-").FullName;
        try
        {
            meeting.WriteTo(folder, format);
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            foreach (var file in Directory.GetFiles(folder).Order(StringComparer.Ordinal))
            {
                hash.AppendData(System.Text.Encoding.UTF8.GetBytes(Path.GetFileName(file)));
                hash.AppendData(File.ReadAllBytes(file));
            }

            return Convert.ToHexString(hash.GetHashAndReset());
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
