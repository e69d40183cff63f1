namespace Muesli.Inference.Diarization.Sortformer;

/// <summary>Per-frame activity of each speaker slot, row-major [<see cref="Frames"/>, <see cref="Speakers"/>].</summary>
public sealed record SpeakerActivity(float[] Values, int Frames, int Speakers, double FrameSeconds)
{
    public float this[int frame, int speaker] => Values[(frame * Speakers) + speaker];

    /// <summary>Seconds covered by the frames.</summary>
    public double Duration => Frames * FrameSeconds;
}
