namespace Muesli.Inference.Diarization;

/// <summary>
/// Where a segmentation frame lies in time. Frame i of a window starting at sample s looks at samples
/// [s + i·<see cref="Step"/>, s + i·Step + <see cref="Field"/>) (its receptive field) and stands for the
/// <see cref="Step"/> samples centred on the middle of that field: consecutive frames tile the audio without gaps.
/// </summary>
public readonly record struct SegmentationFrames(int Step, int Field, int SampleRate)
{
    /// <summary>pyannote segmentation-3.0: 270-sample steps (16.875 ms), a 991-sample receptive field, 16 kHz.</summary>
    public static readonly SegmentationFrames Pyannote = new(270, 991, 16000);

    /// <summary>Samples from the start of a frame's receptive field to the start of the stretch it stands for.</summary>
    public int Lead => (Field - Step) / 2;

    /// <summary>The middle of frame <paramref name="frame"/>'s receptive field, in samples from its window's start.</summary>
    public double CentreSample(int frame) => (frame * (double)Step) + (Field / 2.0);

    /// <summary>Where the stretch that frame <paramref name="frame"/> stands for starts, in seconds.</summary>
    public double StartSeconds(int frame) => ((frame * (double)Step) + Lead) / SampleRate;

    /// <summary>Where the stretch that frame <paramref name="frame"/> stands for ends: the next frame's start.</summary>
    public double EndSeconds(int frame) => StartSeconds(frame + 1);

    /// <summary>The first sample of the stretch frame <paramref name="frame"/> stands for.</summary>
    public long StartSample(int frame) => ((long)frame * Step) + Lead;

    /// <summary>How many of a window's first <paramref name="frames"/> frames have their centre inside the audio.</summary>
    public int FramesInside(long windowStart, int frames, long audioSamples)
    {
        // Centre inside: windowStart + i·Step + Field/2 < audioSamples, i.e. 2·(audioSamples − windowStart) − Field > 2·i·Step.
        var room = (2 * (audioSamples - windowStart)) - Field;
        if (room <= 0)
        {
            return 0;
        }

        var inside = (room + (2L * Step) - 1) / (2L * Step);
        return (int)Math.Min(frames, inside);
    }

    /// <summary>The frame of the meeting-wide grid (frames from sample 0) nearest to a window's first frame.</summary>
    public int FirstFrameOf(long windowStart) => (int)Math.Round(windowStart / (double)Step, MidpointRounding.AwayFromZero);
}
