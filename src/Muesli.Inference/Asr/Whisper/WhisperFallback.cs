using System.IO.Compression;
using System.Text;

namespace Muesli.Inference.Asr.Whisper;

/// <summary>
/// openai-whisper's <c>decode_with_fallback</c>: decode at each of <see cref="WhisperOptions.Temperatures"/> in turn
/// and keep the first decoding that is neither a repetition loop (its text compresses by more than
/// <see cref="WhisperOptions.CompressionRatioThreshold"/>) nor unsure (average log-probability under
/// <see cref="WhisperOptions.LogProbabilityThreshold"/>); a window that is likely silence needs no second try. When
/// every temperature fails, the last decoding is kept. Pure apart from the decoding it drives.
/// </summary>
public static class WhisperFallback
{
    /// <param name="decodeAt">One decoding of the window at a temperature.</param>
    /// <param name="text">The text of a decoding's tokens.</param>
    public static WhisperDecoding Decode(Func<double, WhisperDecoding> decodeAt, Func<IReadOnlyList<int>, string> text, WhisperOptions options)
    {
        ArgumentNullException.ThrowIfNull(decodeAt);
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(options);
        if (options.Temperatures.Count == 0 || options.Temperatures.Any(t => !(t >= 0) || double.IsInfinity(t)))
        {
            throw new ArgumentException($"temperatures must be a non-empty list of numbers ≥ 0, got [{string.Join(", ", options.Temperatures)}]", nameof(options));
        }

        WhisperDecoding? decoding = null;
        foreach (var temperature in options.Temperatures)
        {
            decoding = decodeAt(temperature);
            var fails = CompressionRatio(text(decoding.Tokens)) > options.CompressionRatioThreshold
                        || decoding.AverageLogProbability < options.LogProbabilityThreshold;
            if (!fails || decoding.NoSpeechProbability > options.NoSpeechThreshold)
            {
                break;
            }
        }

        return decoding!;
    }

    /// <summary>UTF-8 bytes of <paramref name="text"/> over their zlib-compressed bytes, as Whisper measures repetition.</summary>
    public static double CompressionRatio(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var bytes = Encoding.UTF8.GetBytes(text);
        if (bytes.Length == 0)
        {
            return 0;
        }

        using var compressed = new MemoryStream();
        using (var zlib = new ZLibStream(compressed, CompressionLevel.Optimal, leaveOpen: true))
        {
            zlib.Write(bytes);
        }

        return bytes.Length / (double)compressed.Length;
    }
}
