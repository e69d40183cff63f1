namespace Muesli.Audio.Decoders;

/// <summary>One open audio file decoded in order, at its own rate, its channels averaged.</summary>
internal interface IAudioDecoder : IDisposable
{
    string Description { get; }

    int SampleRate { get; }

    int Channels { get; }

    /// <summary>From the header when it says, else estimated from the file's size; null when neither can tell.</summary>
    double? DurationSeconds { get; }

    /// <summary>Fills <paramref name="mono"/> with the next frames, channels averaged, in [-1, 1]; 0 at the end.</summary>
    int ReadMono(Span<float> mono);
}
