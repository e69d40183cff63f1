using Muesli.Inference.Diarization;
using Muesli.Inference.Tests.Support;

namespace Muesli.Inference.Tests.Diarization;

public sealed class PyannoteSegmentationTests : IDisposable
{
    private const int Rate = 16000;

    private readonly ModelFolder folder = new();

    public void Dispose() => folder.Dispose();

    private PyannoteSegmentation Load(object? batch = null)
    {
        var path = folder.Write("segmentation.onnx", EnergySegmentationModel.Graph(batch: batch));
        return new PyannoteSegmentation(new PyannoteSegmentationModel(new OnnxSessionFactory(DeviceOptions.Cpu).Create(path, "segmentation"), path));
    }

    /// <summary>Silence with a loud tone over [from, to) seconds.</summary>
    private static float[] Burst(double seconds, double from, double to)
    {
        var audio = new float[(int)(seconds * Rate)];
        var tone = Signals.Sine(1000, (int)((to - from) * Rate));
        tone.CopyTo(audio, (int)(from * Rate));
        return audio;
    }

    [Fact]
    public void Windows_step_along_the_audio_and_the_padded_last_one_keeps_only_frames_inside_it()
    {
        using var segmentation = Load();

        var windows = segmentation.Segment(Burst(12.5, 11, 11.5), 16000);

        Assert.Equal([0L, 16000, 32000, 48000], windows.Select(w => w.StartSample));
        Assert.Equal([0, 59, 119, 178], windows.Select(w => w.FirstFrame));

        // Whole windows keep their 589 frames; the padded one those with 48000 + 270·i + 495.5 < 200000.
        Assert.Equal([589, 589, 589, Enumerable.Range(0, 589).Count(i => 48000 + (270 * i) + 495.5 < 200000)], windows.Select(w => w.Frames));
    }

    [Fact]
    public void Frames_are_active_exactly_where_their_receptive_field_hears_the_audio()
    {
        using var segmentation = Load();
        var (from, to) = (11 * Rate, (int)(11.5 * Rate));

        var windows = segmentation.Segment(Burst(12.5, 11, 11.5), 16000);

        foreach (var window in windows)
        {
            for (var i = 0; i < window.Frames; i++)
            {
                var fieldStart = window.StartSample + (270 * i);
                var fieldEnd = fieldStart + 991;
                if (fieldStart >= from && fieldEnd <= to)
                {
                    Assert.True(window.IsActive(i, 0), $"window at {window.StartSample}, frame {i} lies inside the tone");
                }
                else if (fieldEnd <= from || fieldStart >= to)
                {
                    Assert.False(window.IsActive(i, 0), $"window at {window.StartSample}, frame {i} hears only silence");
                }

                Assert.False(window.IsActive(i, 1) || window.IsActive(i, 2));
            }
        }
    }

    [Fact]
    public void The_same_activity_comes_out_one_window_per_run()
    {
        using var batched = Load();
        using var single = Load(batch: 1);
        var audio = Burst(14, 3, 9);

        var expected = batched.Segment(audio, 16000);
        var actual = single.Segment(audio, 16000);

        Assert.Equal(1, single.Model.MaxBatch);
        Assert.Equal(expected.Count, actual.Count);
        foreach (var (e, a) in expected.Zip(actual))
        {
            Assert.Equal(e.Active, a.Active);
        }
    }

    [Fact]
    public void A_larger_step_uses_fewer_windows()
    {
        using var segmentation = Load();

        var windows = segmentation.Segment(Burst(45, 20, 30), 5 * Rate);

        Assert.Equal(Enumerable.Range(0, 8).Select(k => k * 80000L), windows.Select(w => w.StartSample));
    }

    [Fact]
    public void Audio_shorter_than_half_a_receptive_field_has_no_frames()
    {
        using var segmentation = Load();

        Assert.Empty(segmentation.Segment(new float[400], 16000));
        Assert.Empty(segmentation.Segment([], 16000));
        Assert.Equal(2, Assert.Single(segmentation.Segment(new float[1000], 16000)).Frames);
    }
}
