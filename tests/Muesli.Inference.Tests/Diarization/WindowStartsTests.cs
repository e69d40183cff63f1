using Muesli.Inference.Diarization;

namespace Muesli.Inference.Tests.Diarization;

public sealed class WindowStartsTests
{
    [Fact]
    public void No_audio_has_no_window()
        => Assert.Empty(PyannoteSegmentation.WindowStarts(0, 160000, 16000));

    [Fact]
    public void Audio_up_to_one_window_long_has_one_padded_window()
    {
        Assert.Equal([0L], PyannoteSegmentation.WindowStarts(1, 160000, 16000));
        Assert.Equal([0L], PyannoteSegmentation.WindowStarts(160000, 160000, 16000));
    }

    [Fact]
    public void Whole_windows_step_along_and_a_padded_one_covers_the_rest()
    {
        // 12.5 s: whole windows at 0, 1, 2 s (the one at 2 s ends at 12 s), then a padded one at 3 s.
        Assert.Equal([0L, 16000, 32000, 48000], PyannoteSegmentation.WindowStarts(200000, 160000, 16000));

        // 12 s exactly: the window at 2 s ends on the last sample, so nothing is left for a padded one.
        Assert.Equal([0L, 16000, 32000], PyannoteSegmentation.WindowStarts(192000, 160000, 16000));
    }

    [Fact]
    public void A_larger_step_makes_fewer_windows()
    {
        // 45 s with a 5 s step: whole windows at 0, 5, …, 35 s, the last ending exactly at 45 s.
        var starts = PyannoteSegmentation.WindowStarts(720000, 160000, 80000);

        Assert.Equal(Enumerable.Range(0, 8).Select(k => k * 80000L), starts);
    }

    [Fact]
    public void Every_sample_lies_in_some_window()
    {
        foreach (var samples in new long[] { 160001, 175999, 321234, 999999 })
        {
            var starts = PyannoteSegmentation.WindowStarts(samples, 160000, 16000);

            Assert.Equal(0, starts[0]);
            Assert.True(starts[^1] + 160000 >= samples);
            Assert.True(starts[^1] < samples);
            Assert.All(starts.Zip(starts.Skip(1)), p => Assert.Equal(16000, p.Second - p.First));
        }
    }
}
