using Muesli.Inference.Diarization;

namespace Muesli.Inference.Tests.Diarization;

public sealed class SegmentationFramesTests
{
    private static readonly SegmentationFrames Frames = SegmentationFrames.Pyannote;

    [Fact]
    public void A_frame_is_centred_on_its_receptive_field()
    {
        Assert.Equal(495.5, Frames.CentreSample(0));
        Assert.Equal((10 * 270) + 495.5, Frames.CentreSample(10));
    }

    [Fact]
    public void Frames_stand_for_consecutive_step_long_stretches_around_their_centres()
    {
        // (991 − 270) / 2 = 360 samples from the field's start; 16.875 ms each.
        Assert.Equal(360, Frames.Lead);
        Assert.Equal(360 / 16000.0, Frames.StartSeconds(0), 1e-12);
        Assert.Equal((270 + 360) / 16000.0, Frames.EndSeconds(0), 1e-12);
        Assert.Equal(Frames.EndSeconds(41), Frames.StartSeconds(42), 1e-12);
        Assert.Equal(0.016875, Frames.EndSeconds(7) - Frames.StartSeconds(7), 1e-12);
        Assert.Equal((100L * 270) + 360, Frames.StartSample(100));
    }

    [Theory]
    [InlineData(0, 589, 160000, 589)]
    [InlineData(0, 589, 1000, 2)]
    [InlineData(0, 589, 496, 1)]
    [InlineData(0, 589, 495, 0)]
    [InlineData(16000, 589, 160000, 532)]
    [InlineData(160000, 589, 160000, 0)]
    public void Only_frames_centred_inside_the_audio_count(long windowStart, int frames, long audio, int expected)
    {
        // Reference: count i with windowStart + 270·i + 495.5 < audio, by brute force.
        Assert.Equal(Enumerable.Range(0, frames).Count(i => windowStart + (270 * i) + 495.5 < audio), expected);

        Assert.Equal(expected, Frames.FramesInside(windowStart, frames, audio));
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(16000, 59)]
    [InlineData(32000, 119)]
    [InlineData(48000, 178)]
    [InlineData(135, 1)]
    public void A_windows_first_frame_is_the_nearest_frame_of_the_meeting_grid(long start, int expected)
        => Assert.Equal(expected, Frames.FirstFrameOf(start));
}
