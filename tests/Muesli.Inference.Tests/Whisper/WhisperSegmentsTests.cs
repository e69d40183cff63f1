using Muesli.Inference.Asr.Whisper;
using static Muesli.Inference.Tests.Whisper.TestVocabulary;

namespace Muesli.Inference.Tests.Whisper;

public sealed class WhisperSegmentsTests
{
    private static readonly WhisperVocabulary Vocabulary = Create();

    private static WhisperWindowTranscript Split(double windowSeconds, params int[] tokens)
        => WhisperSegments.Split(tokens, Vocabulary, windowSeconds);

    private static void AssertSegments((double Start, double End, int[] Tokens)[] expected, WhisperWindowTranscript actual)
    {
        Assert.Equal(expected.Length, actual.Segments.Count);
        foreach (var (e, a) in expected.Zip(actual.Segments))
        {
            Assert.Equal(e.Start, a.Start, 1e-9);
            Assert.Equal(e.End, a.End, 1e-9);
            Assert.Equal(e.Tokens, a.Tokens);
        }
    }

    [Fact]
    public void Timestamp_pairs_delimit_segments_and_a_closing_timestamp_ends_the_window()
    {
        var transcript = Split(30, At(0), 1, 2, At(1), At(1), 3, At(2.5), At(2.6), 4, At(3));

        AssertSegments([(0, 1, [1, 2]), (1, 2.5, [3]), (2.6, 3, [4])], transcript);
        Assert.Null(transcript.ResumeTimestamp);
    }

    [Fact]
    public void Output_cut_inside_a_segment_resumes_where_the_last_complete_one_ended()
    {
        var transcript = Split(30, At(0.4), 1, At(1.2), At(1.3), 2, 3);

        AssertSegments([(0.4, 1.2, [1])], transcript);
        Assert.Equal(60, transcript.ResumeTimestamp);
    }

    [Fact]
    public void A_trailing_opening_timestamp_without_text_resumes_there_too()
    {
        var transcript = Split(30, At(0), 1, At(2), At(2));

        AssertSegments([(0, 2, [1])], transcript);
        Assert.Equal(100, transcript.ResumeTimestamp);
    }

    [Fact]
    public void A_single_unfinished_segment_runs_to_the_window_end()
    {
        var transcript = Split(12.5, At(0.4), 1, 2);

        AssertSegments([(0.4, 12.5, [1, 2])], transcript);
        Assert.Null(transcript.ResumeTimestamp);
    }

    [Fact]
    public void Times_past_the_audio_are_clamped_to_the_window_end()
    {
        var transcript = Split(10, At(0), 1, At(9), At(9), 2, At(12), At(12), 3, At(14));

        AssertSegments([(0, 9, [1]), (9, 10, [2]), (10, 10, [3])], transcript);
    }

    [Fact]
    public void Text_without_an_opening_timestamp_starts_at_the_window_start()
    {
        AssertSegments([(0, 2, [1, 2])], Split(30, 1, 2, At(2)));
    }

    [Fact]
    public void Nothing_but_timestamps_is_no_segment()
    {
        var transcript = Split(30, At(0));

        Assert.Empty(transcript.Segments);
        Assert.Null(transcript.ResumeTimestamp);
        Assert.Empty(Split(30).Segments);
    }

    [Fact]
    public void Special_tokens_in_the_output_carry_no_text()
    {
        AssertSegments([(0, 1, [1, 2])], Split(30, At(0), 1, Sot, 2, At(1)));
    }
}
