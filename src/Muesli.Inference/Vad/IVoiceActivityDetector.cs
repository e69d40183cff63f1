namespace Muesli.Inference.Vad;

/// <summary>A stretch of speech, in seconds from the start of the samples given.</summary>
public readonly record struct SpeechRegion(double Start, double End)
{
    public double Duration => End - Start;
}

/// <summary>Voice activity detection over 16 kHz mono audio.</summary>
public interface IVoiceActivityDetector : IDisposable
{
    string Name { get; }

    /// <summary>Speech probability per frame (frame length <see cref="FrameSeconds"/>).</summary>
    float[] Probabilities(ReadOnlySpan<float> samples16k);

    double FrameSeconds { get; }

    /// <summary>Speech regions after thresholding and the minimum speech / silence durations.</summary>
    IReadOnlyList<SpeechRegion> Detect(ReadOnlySpan<float> samples16k);
}
