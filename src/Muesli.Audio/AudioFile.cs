namespace Muesli.Audio;

/// <summary>Raised with a message fit for a user when an audio file cannot be read.</summary>
public sealed class AudioFileException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>Reads whole audio files (WAV int16 / int24 / int32 / float32, any rate, 1–8 channels) as 16 kHz mono floats.</summary>
public static class AudioFile
{
    public static float[] Read16kMono(string path) => throw new NotImplementedException();
}
