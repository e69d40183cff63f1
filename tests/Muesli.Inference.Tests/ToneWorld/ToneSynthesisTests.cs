using System.Buffers.Binary;
using System.Text.Json;
using Muesli.Core;
using Muesli.TestWorld;
using Xunit;

namespace Muesli.Inference.Tests.ToneWorld;

public sealed class ToneSynthesisTests
{
    private static readonly ToneMeeting Meeting = ToneMeetingGenerator.Generate(
        new MeetingSpec { DurationSeconds = 60, Speakers = 3, Seed = 21, OverlapRatio = 0.2, MicSpeakers = [2] });

    [Fact]
    public void Each_word_sounds_at_its_frequency_inside_its_truth_interval_and_not_well_outside_it()
    {
        var rate = 16000;
        var audio = Meeting.Render("all", AudioFormat.Asr);
        foreach (var word in Meeting.Words.Take(40))
        {
            var hz = ToneLanguage.WordFrequency(ToneLanguage.IndexOf(word.Text));
            var inside = ToneAudio.Amplitude(audio, rate, 1, 0, hz, (long)((word.T0 + 0.03) * rate), (int)((word.T1 - word.T0 - 0.06) * rate));
            Assert.InRange(inside, 0.9 * ToneLanguage.WordAmplitude, 1.1 * ToneLanguage.WordAmplitude);

            // 60 ms of silence between this word and the next: the tone is gone.
            var next = Meeting.Words.FirstOrDefault(w => w.T0 >= word.T1);
            if (next is not null && next.T0 - word.T1 >= 0.1)
            {
                var after = ToneAudio.Amplitude(audio, rate, 1, 0, hz, (long)((word.T1 + 0.02) * rate), (int)(0.06 * rate));
                Assert.True(after < 0.1 * ToneLanguage.WordAmplitude, $"{word.Text} still sounds {after} after {word.T1}");
            }
        }
    }

    [Fact]
    public void Each_speakers_voice_sounds_through_their_turns_only()
    {
        var rate = 16000;
        var audio = Meeting.Render("all", AudioFormat.Asr);
        foreach (var turn in Meeting.Turns)
        {
            var speaker = int.Parse(turn.Speaker["SPEAKER_".Length..]);
            var hz = ToneLanguage.VoiceFrequency(speaker);
            var inside = ToneAudio.Amplitude(audio, rate, 1, 0, hz, (long)((turn.T0 + 0.05) * rate), (int)(0.5 * rate));
            Assert.InRange(inside, 0.9 * ToneLanguage.VoiceAmplitude, 1.1 * ToneLanguage.VoiceAmplitude);

            var own = Meeting.Turns.Where(t => t.Speaker == turn.Speaker).ToList();
            if (turn.T1 + 0.6 < Meeting.Duration && !own.Any(t => t.T0 < turn.T1 + 0.6 && t.T1 > turn.T1))
            {
                var after = ToneAudio.Amplitude(audio, rate, 1, 0, hz, (long)((turn.T1 + 0.05) * rate), (int)(0.5 * rate));
                Assert.True(after < 0.1 * ToneLanguage.VoiceAmplitude, $"{turn.Speaker} still sounds after {turn.T1}");
            }
        }
    }

    [Fact]
    public void Rendering_at_48_kHz_stereo_carries_the_same_tones_as_16_kHz_mono()
    {
        var mono = Meeting.Render("all", AudioFormat.Asr);
        var stereo = Meeting.Render("all", new AudioFormat(48000, 2));

        Assert.Equal((long)Math.Round(Meeting.Duration * 16000), mono.Length);
        Assert.Equal((long)Math.Round(Meeting.Duration * 48000) * 2, stereo.Length);
        for (var i = 0; i < stereo.Length; i += 2)
        {
            Assert.Equal(stereo[i], stereo[i + 1]);
        }

        foreach (var word in Meeting.Words.Take(5))
        {
            var expected = ToneLanguage.WordFrequency(ToneLanguage.IndexOf(word.Text));
            var middle = (word.T0 + word.T1) / 2;
            var at16 = ToneAudio.StrongestFrequency(mono, 16000, 1, (long)((middle - 0.05) * 16000), 1600, 200, 3200, 10);
            var at48 = ToneAudio.StrongestFrequency(stereo, 48000, 2, (long)((middle - 0.05) * 48000), 4800, 200, 3200, 10);
            Assert.Equal(expected, at16);
            Assert.Equal(expected, at48);
        }
    }

    [Fact]
    public void A_stream_holds_only_its_own_speakers()
    {
        var rate = 16000;
        var mic = Meeting.Render("mic", AudioFormat.Asr);
        var system = Meeting.Render("system", AudioFormat.Asr);
        foreach (var word in Meeting.Words.Take(30))
        {
            var hz = ToneLanguage.WordFrequency(ToneLanguage.IndexOf(word.Text));
            var from = (long)((word.T0 + 0.03) * rate);
            var count = (int)((word.T1 - word.T0 - 0.06) * rate);
            var (own, otherStream) = word.Stream == "mic" ? (mic, system) : (system, mic);
            Assert.True(ToneAudio.Amplitude(own, rate, 1, 0, hz, from, count) > 0.9 * ToneLanguage.WordAmplitude);
            Assert.True(ToneAudio.Amplitude(otherStream, rate, 1, 0, hz, from, count) < 0.1 * ToneLanguage.WordAmplitude);
        }
    }

    [Fact]
    public void The_noise_floor_has_the_asked_level_and_comes_from_the_seed()
    {
        var quiet = new ToneMeeting(new MeetingSpec { DurationSeconds = 5, Seed = 3, NoiseLevel = 0.002 }, [], []);

        var samples = quiet.Render("all", AudioFormat.Asr);
        var rms = Math.Sqrt(samples.Average(s => (s / 32767.0) * (s / 32767.0)));

        Assert.InRange(rms, 0.0019, 0.0021);

        // At 48 kHz the same density per Hz spreads over three times the band.
        var wide = quiet.Render("all", new AudioFormat(48000, 1));
        var wideRms = Math.Sqrt(wide.Average(s => (s / 32767.0) * (s / 32767.0)));
        Assert.InRange(wideRms / rms, Math.Sqrt(3) * 0.97, Math.Sqrt(3) * 1.03);
        Assert.Equal(samples, quiet.Render("all", AudioFormat.Asr));
        Assert.All(new ToneMeeting(quiet.Spec with { NoiseLevel = 0 }, [], []).Render("all", AudioFormat.Asr), s => Assert.Equal(0, s));
    }

    [Theory]
    [InlineData(4000, 1)]
    [InlineData(16000, 3)]
    public void A_format_it_cannot_render_is_refused(int rate, int channels)
    {
        Assert.Throws<ArgumentException>(() => Meeting.Render("all", new AudioFormat(rate, channels)));
    }

    [Fact]
    public void Write_to_puts_the_audio_and_the_truth_files_in_the_folder()
    {
        var folder = Directory.CreateTempSubdirectory("tone-meeting-").FullName;
        try
        {
            var format = new AudioFormat(44100, 2);
            Meeting.WriteTo(folder, format);

            foreach (var name in new[] { "meeting.wav", "system.wav", "mic.wav" })
            {
                var bytes = File.ReadAllBytes(Path.Combine(folder, name));
                Assert.Equal("RIFF", System.Text.Encoding.ASCII.GetString(bytes, 0, 4));
                Assert.Equal("WAVE", System.Text.Encoding.ASCII.GetString(bytes, 8, 4));
                Assert.Equal(1, BinaryPrimitives.ReadInt16LittleEndian(bytes.AsSpan(20)));
                Assert.Equal(2, BinaryPrimitives.ReadInt16LittleEndian(bytes.AsSpan(22)));
                Assert.Equal(44100, BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(24)));
                Assert.Equal(16, BinaryPrimitives.ReadInt16LittleEndian(bytes.AsSpan(34)));
                var dataBytes = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(40));
                Assert.Equal(Math.Round(Meeting.Duration * 44100) * 4, dataBytes);
                Assert.Equal(44 + dataBytes, bytes.Length);
            }

            var meetingWav = File.ReadAllBytes(Path.Combine(folder, "meeting.wav"));
            var rendered = Meeting.Render("all", format);
            Assert.Equal(rendered, System.Runtime.InteropServices.MemoryMarshal.Cast<byte, short>(meetingWav.AsSpan(44)).ToArray());

            using var truth = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "truth.json")));
            var words = truth.RootElement.GetProperty("words").EnumerateArray().ToArray();
            Assert.Equal(Meeting.Words.Count, words.Length);
            for (var i = 0; i < words.Length; i++)
            {
                Assert.Equal(Meeting.Words[i].Text, words[i].GetProperty("text").GetString());
                Assert.Equal(Meeting.Words[i].T0, words[i].GetProperty("t0").GetDouble(), 3);
                Assert.Equal(Meeting.Words[i].T1, words[i].GetProperty("t1").GetDouble(), 3);
                Assert.Equal(Meeting.Words[i].Speaker, words[i].GetProperty("speaker").GetString());
                Assert.Equal(Meeting.Words[i].Stream, words[i].GetProperty("stream").GetString());
            }

            var turns = truth.RootElement.GetProperty("turns").EnumerateArray().ToArray();
            Assert.Equal(Meeting.Turns.Count, turns.Length);
            Assert.Equal(Meeting.Turns[0].Speaker, turns[0].GetProperty("speaker").GetString());
            Assert.Equal(Meeting.Duration, truth.RootElement.GetProperty("duration").GetDouble());
            Assert.Equal(Meeting.ToRttm("meeting"), File.ReadAllText(Path.Combine(folder, "truth.rttm")));
            Assert.Equal(Meeting.ReferenceText() + "\n", File.ReadAllText(Path.Combine(folder, "truth.txt")));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void Without_mic_speakers_only_the_mixed_meeting_is_written()
    {
        var folder = Directory.CreateTempSubdirectory("tone-meeting-").FullName;
        try
        {
            ToneMeetingGenerator.Generate(new MeetingSpec { DurationSeconds = 5 }).WriteTo(folder, AudioFormat.Asr);

            Assert.Equal(
                ["meeting.wav", "truth.json", "truth.rttm", "truth.txt"],
                Directory.GetFiles(folder).Select(f => Path.GetFileName(f)!).Order().ToArray());
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
