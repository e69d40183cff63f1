namespace Muesli.Audio;

/// <summary>Why an audio file cannot be read.</summary>
public enum AudioFileProblem
{
    /// <summary>No file at the path.</summary>
    NotFound,

    /// <summary>The path names a folder.</summary>
    IsDirectory,

    /// <summary>The file has 0 bytes.</summary>
    Empty,

    /// <summary>The file ends before what its header promises, or holds no complete frame of its format.</summary>
    Truncated,

    /// <summary>The bytes match no known format, the header is corrupt, or the file may not be opened.</summary>
    Unreadable,

    /// <summary>A known format (or WAV encoding) that this program does not decode.</summary>
    Unsupported,
}

/// <summary>Raised with a message fit for a user, naming the file, when an audio file cannot be read.</summary>
public sealed class AudioFileException(AudioFileProblem problem, string message, Exception? inner = null)
    : Exception(message, inner)
{
    public AudioFileProblem Problem { get; } = problem;
}

/// <summary>The messages of <see cref="AudioFileException"/>, so that every decoder words a problem alike.</summary>
internal static class AudioProblems
{
    public const string Supported = "WAV (PCM 8, 16, 24 or 32-bit, or float 32 or 64-bit; 1 to 8 channels; any rate) and MP3";

    public static AudioFileException Truncated(string path, string detail) =>
        new(AudioFileProblem.Truncated, $"{path} is truncated: {detail}");

    public static AudioFileException Unreadable(string path, string detail, Exception? inner = null) =>
        new(AudioFileProblem.Unreadable, $"{path} cannot be read: {detail}", inner);

    /// <summary>A format that ffmpeg reads but this program does not: the message says how to convert it.</summary>
    public static AudioFileException Unsupported(string path, string what) =>
        new(AudioFileProblem.Unsupported, $"{path} is {what}, which is not supported. {SupportedAndHint(path)}");

    /// <summary>The formats that work, and the ffmpeg command that makes one of them out of <paramref name="path"/>.</summary>
    public static string SupportedAndHint(string path)
    {
        var output = Path.ChangeExtension(path, ".wav");
        if (string.Equals(Path.GetFullPath(output), Path.GetFullPath(path), StringComparison.Ordinal))
        {
            output = Path.ChangeExtension(path, null) + "-16k.wav";
        }

        return $"Supported: {Supported}. Convert it first: ffmpeg -i {Quoted(path)} -ar 16000 {Quoted(output)}";
    }

    /// <summary>The path as a shell word: as is when plain, else in single quotes.</summary>
    private static string Quoted(string path) =>
        path.All(c => char.IsAsciiLetterOrDigit(c) || "._-+/@%:,=".Contains(c))
            ? path
            : $"'{path.Replace("'", "'\\''", StringComparison.Ordinal)}'";
}
