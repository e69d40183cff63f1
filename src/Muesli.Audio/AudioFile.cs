using Muesli.Audio.Decoders;

namespace Muesli.Audio;

/// <summary>
/// Opens audio files as 16 kHz mono: WAV (PCM 8, 16, 24, 32-bit, float 32 or 64-bit, plain or extensible, any rate,
/// 1–8 channels) and MP3. The format is told by the file's first bytes, not its name; anything else fails with an
/// <see cref="AudioFileException"/> that says which <see cref="AudioFileProblem"/> and, for formats ffmpeg reads, how to
/// convert the file.
/// </summary>
public static class AudioFile
{
    private const int SamplesPerRead = 65536;

    /// <summary>
    /// Opens <paramref name="path"/> and reads its header, so a file that cannot be read fails here rather than
    /// halfway through.
    /// </summary>
    /// <exception cref="AudioFileException">The file is missing, a folder, empty, truncated, unreadable or of an unsupported format.</exception>
    public static AudioInput Open(string path)
    {
        if (Directory.Exists(path))
        {
            throw new AudioFileException(AudioFileProblem.IsDirectory, $"{path} is a folder, not an audio file");
        }

        if (!File.Exists(path))
        {
            throw new AudioFileException(AudioFileProblem.NotFound, $"audio file not found: {path}");
        }

        var file = OpenStream(path);
        try
        {
            if (file.Length == 0)
            {
                throw new AudioFileException(AudioFileProblem.Empty, $"{path} is empty (0 bytes)");
            }

            return new AudioInput(path, FormatSniffer.Open(path, file));
        }
        catch (IOException e)
        {
            file.Dispose();
            throw AudioProblems.Unreadable(path, e.Message, e);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>Opens and closes <paramref name="path"/>: a cheap check, by its header, that <see cref="Open"/> will succeed.</summary>
    /// <returns>The file's <see cref="AudioInput.Description"/>.</returns>
    /// <exception cref="AudioFileException">As <see cref="Open"/>.</exception>
    public static string Check(string path)
    {
        using var input = Open(path);
        return input.Description;
    }

    /// <summary>
    /// The whole file as 16 kHz mono: floor(frames · 16000 / rate) samples in [-1, 1], read through <see cref="Open"/>.
    /// </summary>
    /// <exception cref="AudioFileException">As <see cref="Open"/>, or when the file cannot be read to its end.</exception>
    public static float[] Read16kMono(string path)
    {
        using var input = Open(path);
        var expected = (input.DurationSeconds ?? 0) * AudioInput.TargetRate;
        var samples = new List<float>((int)Math.Min(expected + 1024, Array.MaxLength));
        var block = new float[SamplesPerRead];
        int read;
        while ((read = input.Read(block)) > 0)
        {
            samples.AddRange(block.AsSpan(0, read));
        }

        return [.. samples];
    }

    private static FileStream OpenStream(string path)
    {
        try
        {
            // Shared for writing too: a recording still being written can be read up to where it is.
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 64 * 1024);
        }
        catch (UnauthorizedAccessException e)
        {
            throw AudioProblems.Unreadable(path, "permission denied", e);
        }
        catch (IOException e)
        {
            throw AudioProblems.Unreadable(path, e.Message, e);
        }
    }
}
