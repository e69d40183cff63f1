using Muesli.Core;
using Muesli.TestWorld;
using Xunit;

namespace Muesli.Inference.Tests.ToneWorld;

/// <summary>The stand-in CTC model hears generated meetings through the real NeMo front end.</summary>
public sealed class ToneCtcRecognitionTests
{
    private static readonly ToneMeeting Meeting = ToneMeetingGenerator.Generate(
        new MeetingSpec { DurationSeconds = 180, Speakers = 2, Seed = 17, OverlapRatio = 0.1 });

    private static readonly short[] Audio = Meeting.Render("all", AudioFormat.Asr);

    public static TheoryData<int> Features => new() { 80, 128 };

    [Theory]
    [MemberData(nameof(Features))]
    public void A_three_minute_meeting_is_heard_word_for_word_and_on_time(int features)
    {
        using var listener = new ToneListener(features);

        var heard = listener.Listen(HeardTranscript.Samples(Audio, 0, Meeting.Duration));

        var judged = HeardTranscript.Judge(Meeting, 0, Meeting.Duration, heard);
        Assert.True(judged.ReferenceWords > 250, $"only {judged.ReferenceWords} words to hear");
        Assert.InRange(judged.WordErrorRate, 0, 0.02);
        Assert.Empty(judged.TimingErrors);
    }

    public static TheoryData<int, double, double, bool, bool> Windows()
    {
        var data = new TheoryData<int, double, double, bool, bool>();
        foreach (var features in new[] { 80, 128 })
        {
            // Window length, where it starts, and whether its start and end fall in the middle of a word.
            data.Add(features, 10, 20, true, false);
            data.Add(features, 10, 150, false, true);
            data.Add(features, 45, 60, true, true);
            data.Add(features, 45, 120, false, false);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Windows))]
    public void A_window_of_the_meeting_is_heard_whole_except_words_cut_by_its_edges(
        int features, double seconds, double near, bool startMidWord, bool endMidWord)
    {
        var start = startMidWord ? MiddleOfWordAfter(near) : GapAfter(near);
        var end = endMidWord ? MiddleOfWordAfter(start + seconds) : GapAfter(start + seconds);
        using var listener = new ToneListener(features);

        var heard = listener.Listen(HeardTranscript.Samples(Audio, start, end));

        var judged = HeardTranscript.Judge(Meeting, start, end, heard);
        Assert.True(judged.ReferenceWords >= seconds, $"only {judged.ReferenceWords} words in {start}–{end}");
        Assert.InRange(judged.WordErrorRate, 0, 0.02);
        Assert.Empty(judged.TimingErrors);
    }

    [Theory]
    [MemberData(nameof(Features))]
    public void The_longest_window_one_pass_takes_of_three_speakers_is_heard(int features)
    {
        // 390 s: 4876 encoder frames, just within the 5000 of the position table.
        var meeting = ToneMeetingGenerator.Generate(
            new MeetingSpec { DurationSeconds = 390, Speakers = 3, Seed = 5, OverlapRatio = 0.2, NoiseLevel = 0.002 });
        using var listener = new ToneListener(features);

        var heard = listener.Listen(HeardTranscript.Samples(meeting.Render("all", AudioFormat.Asr), 0, meeting.Duration));

        var judged = HeardTranscript.Judge(meeting, 0, meeting.Duration, heard);
        Assert.InRange(judged.WordErrorRate, 0, 0.02);
        Assert.Empty(judged.TimingErrors);
    }

    [Theory]
    [MemberData(nameof(Features))]
    public void Thirty_seconds_of_noise_floor_hold_no_words(int features)
    {
        var quiet = new ToneMeeting(new MeetingSpec { DurationSeconds = 30, Seed = 8 }, [], []);
        using var listener = new ToneListener(features);

        Assert.Empty(listener.Listen(HeardTranscript.Samples(quiet.Render("all", AudioFormat.Asr), 0, 30)));
    }

    [Theory]
    [MemberData(nameof(Features))]
    public void Digital_silence_holds_no_words(int features)
    {
        using var listener = new ToneListener(features);

        // However long the window, silence normalises to one constant in every bin, whatever its sign.
        foreach (var seconds in new[] { 1, 10, 30, 100, 390 })
        {
            Assert.Empty(listener.Listen(new float[16000 * seconds]));
        }
    }

    [Theory]
    [MemberData(nameof(Features))]
    public void A_word_said_often_in_a_short_window_is_still_heard_each_time(int features)
    {
        // "delta" six times in 10 s (about 15 % of the window), between other words.
        var texts = new[] { "delta", "alpha", "delta", "kilo", "delta", "tango", "delta", "echo", "delta", "golf", "delta", "mike" };
        var words = texts.Select((text, i) => new TruthWord(text, 0.5 + i * 0.75, 0.5 + i * 0.75 + 0.26, "SPEAKER_00", "system")).ToArray();
        var meeting = new ToneMeeting(new MeetingSpec { DurationSeconds = 10, Seed = 2 }, words, [new TruthTurn("SPEAKER_00", "system", 0.4, 9.5)]);
        using var listener = new ToneListener(features);

        var heard = listener.Listen(HeardTranscript.Samples(meeting.Render("all", AudioFormat.Asr), 0, 10));

        Assert.Equal(texts, heard.Select(w => w.Text));
        Assert.Empty(HeardTranscript.Judge(meeting, 0, 10, heard).TimingErrors);
    }

    private static double MiddleOfWordAfter(double seconds)
    {
        var word = Meeting.Words.First(w => w.T0 >= seconds);
        return (word.T0 + word.T1) / 2;
    }

    private static double GapAfter(double seconds) => Meeting.Words.First(w => w.T0 >= seconds).T0 - 0.04;
}
