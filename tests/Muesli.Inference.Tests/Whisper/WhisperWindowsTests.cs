using Muesli.Inference.Asr.Whisper;
using static Muesli.Inference.Tests.Whisper.TestVocabulary;

namespace Muesli.Inference.Tests.Whisper;

public sealed class WhisperWindowsTests
{
    private const int Rate = 16000;

    private static readonly WhisperVocabulary Vocabulary = Create();

    [Fact]
    public void Long_input_is_decoded_in_consecutive_30_second_windows_moved_onto_its_clock()
    {
        var windows = new List<WhisperWindow>();

        var segments = WhisperWindows.Transcribe(70 * Rate, Vocabulary, window =>
        {
            windows.Add(window);
            return [At(0), 1, At(2), At(2), 2, At(4.5)];
        });

        Assert.Equal([new(0, 30 * Rate), new(30 * Rate, 30 * Rate), new(60 * Rate, 10 * Rate)], windows);
        Assert.Equal(
            [(0.0, 2.0), (2.0, 4.5), (30.0, 32.0), (32.0, 34.5), (60.0, 62.0), (62.0, 64.5)],
            segments.Select(s => (Math.Round(s.Start, 9), Math.Round(s.End, 9))));
    }

    [Fact]
    public void A_window_cut_inside_a_segment_is_followed_by_one_starting_at_its_last_complete_segment()
    {
        var windows = new List<WhisperWindow>();

        var segments = WhisperWindows.Transcribe(40 * Rate, Vocabulary, window =>
        {
            windows.Add(window);
            return windows.Count == 1 ? [At(0), 1, At(12), At(12), 2, 3] : [At(0), 2, 3, At(5)];
        });

        Assert.Equal([new(0, 30 * Rate), new(12 * Rate, 28 * Rate)], windows);
        Assert.Equal([(0.0, 12.0), (12.0, 17.0)], segments.Select(s => (Math.Round(s.Start, 9), Math.Round(s.End, 9))));
        Assert.Equal(new[] { new[] { 1 }, new[] { 2, 3 } }, segments.Select(s => s.Tokens.ToArray()));
    }

    [Fact]
    public void A_silent_window_is_skipped_whole()
    {
        var calls = 0;

        var segments = WhisperWindows.Transcribe(45 * Rate, Vocabulary, _ => ++calls == 1 ? null : [At(1), 4, At(2)]);

        Assert.Equal(2, calls);
        Assert.Equal((31.0, 32.0), (Math.Round(segments.Single().Start, 9), Math.Round(segments.Single().End, 9)));
    }

    [Fact]
    public void Segments_stop_at_the_end_of_the_audio_the_window_holds()
    {
        var segments = WhisperWindows.Transcribe((5 * Rate) + 100, Vocabulary, _ => [At(0), 1, At(8)]);

        Assert.Equal((5 * Rate) + 100, (int)Math.Round(segments.Single().End * Rate));
    }

    [Fact]
    public void A_tail_shorter_than_one_frame_is_not_a_window_of_its_own()
    {
        var windows = new List<WhisperWindow>();

        WhisperWindows.Transcribe((30 * Rate) + 159, Vocabulary, w =>
        {
            windows.Add(w);
            return [];
        });

        Assert.Equal([new(0, 30 * Rate)], windows);
    }

    [Fact]
    public void Empty_input_decodes_nothing()
    {
        var segments = WhisperWindows.Transcribe(0, Vocabulary, _ => throw new InvalidOperationException("no window expected"));

        Assert.Empty(segments);
    }

    [Fact]
    public void Window_times_are_seconds_on_the_input_clock()
    {
        var window = new WhisperWindow(24000, 8000);

        Assert.Equal(1.5, window.Start, 1e-12);
        Assert.Equal(0.5, window.Seconds, 1e-12);
    }
}
