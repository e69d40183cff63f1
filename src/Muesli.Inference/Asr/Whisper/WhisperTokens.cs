using System.Globalization;
using System.Text;

namespace Muesli.Inference.Asr.Whisper;

/// <summary>
/// A Whisper <c>tokens.txt</c> as sherpa-onnx exports it: one <c>base64 rank</c> per line (the tiktoken file), ranks
/// 0..N−1 each once. A token is a byte string (byte-level BPE), so text is decoded from the bytes of all its tokens
/// together: a character whose UTF-8 bytes are split across tokens comes out whole. The file holds text tokens only;
/// special and timestamp tokens (ids ≥ N) carry no text.
/// </summary>
public sealed class WhisperTokens
{
    // Whisper decodes with errors="replace": an incomplete sequence becomes U+FFFD instead of failing.
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false);

    private readonly byte[][] tokens;

    private WhisperTokens(string source, byte[][] tokens)
    {
        Source = source;
        this.tokens = tokens;
    }

    /// <summary>Where the table came from (its path), for error messages.</summary>
    public string Source { get; }

    /// <summary>Text tokens: ids 0..Count−1.</summary>
    public int Count => tokens.Length;

    public ReadOnlySpan<byte> this[int id] => tokens[id];

    public static WhisperTokens Load(string path) => Parse(TokensFile.Lines(path), path);

    /// <summary>Parses the lines of a tokens file; <paramref name="source"/> names it in errors.</summary>
    public static WhisperTokens Parse(IEnumerable<string> lines, string source)
    {
        var byRank = new Dictionary<int, byte[]>();
        var lineNumber = 0;
        foreach (var raw in lines)
        {
            lineNumber++;
            var line = raw.Trim();
            if (line.Length == 0)
            {
                continue;
            }

            var fields = line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length != 2 || !int.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out var rank))
            {
                throw new InvalidDataException($"{source}:{lineNumber}: expected 'base64 rank', found '{line}'");
            }

            var bytes = new byte[fields[0].Length];
            if (!Convert.TryFromBase64String(fields[0], bytes, out var written) || written == 0)
            {
                throw new InvalidDataException($"{source}:{lineNumber}: '{fields[0]}' is not a base64 token");
            }

            if (!byRank.TryAdd(rank, bytes[..written]))
            {
                throw new InvalidDataException($"{source}:{lineNumber}: rank {rank} appears twice");
            }
        }

        return new WhisperTokens(source, TokensFile.InIdOrder(byRank, source, "rank"));
    }

    /// <summary>The text of <paramref name="ids"/>: their bytes joined, then UTF-8 decoded; ids ≥ Count are skipped.</summary>
    public string Decode(IEnumerable<int> ids)
    {
        var bytes = new List<byte>();
        foreach (var id in ids)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(id);
            if (id < tokens.Length)
            {
                bytes.AddRange(tokens[id]);
            }
        }

        return Utf8.GetString([.. bytes]);
    }
}
