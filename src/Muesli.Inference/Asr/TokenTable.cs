using System.Globalization;

namespace Muesli.Inference.Asr;

/// <summary>
/// A model's <c>tokens.txt</c>: one <c>piece id</c> per line, ids 0..N−1 each once. SentencePiece marks a word start
/// with ▁ (U+2581). The blank is the piece <c>&lt;blk&gt;</c> when present, else the last id.
/// </summary>
public sealed class TokenTable
{
    public const char WordStart = '\u2581';
    public const string BlankPiece = "<blk>";

    private readonly string[] pieces;

    private TokenTable(string source, string[] pieces, int blankId)
    {
        Source = source;
        this.pieces = pieces;
        BlankId = blankId;
    }

    /// <summary>Where the table came from (its path), for error messages.</summary>
    public string Source { get; }

    /// <summary>Every id, the blank included.</summary>
    public int Count => pieces.Length;

    public int BlankId { get; }

    public string this[int id] => pieces[id];

    public static TokenTable Load(string path) => Parse(TokensFile.Lines(path), path);

    /// <summary>Parses the lines of a tokens file; <paramref name="source"/> names it in errors.</summary>
    public static TokenTable Parse(IEnumerable<string> lines, string source)
    {
        var byId = new Dictionary<int, string>();
        var lineNumber = 0;
        foreach (var raw in lines)
        {
            lineNumber++;
            var line = raw.TrimEnd('\r', '\n');
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            var split = line.LastIndexOfAny([' ', '\t']);
            var piece = split > 0 ? line[..split].TrimEnd(' ', '\t') : string.Empty;
            if (piece.Length == 0 || !int.TryParse(line[(split + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var id))
            {
                throw new InvalidDataException($"{source}:{lineNumber}: expected 'piece id', found '{line}'");
            }

            if (!byId.TryAdd(id, piece))
            {
                throw new InvalidDataException($"{source}:{lineNumber}: id {id} ('{piece}') was already given to '{byId[id]}'");
            }
        }

        var pieces = TokensFile.InIdOrder(byId, source, "id");
        var blank = Array.IndexOf(pieces, BlankPiece);
        return new TokenTable(source, pieces, blank >= 0 ? blank : pieces.Length - 1);
    }

    public bool StartsWord(int id) => pieces[id].Length > 0 && pieces[id][0] == WordStart;

    /// <summary>
    /// A control piece, written in angle brackets (<c>&lt;unk&gt;</c>, <c>&lt;pad&gt;</c>, <c>&lt;|nospeech|&gt;</c>,
    /// <c>&lt;|endoftext|&gt;</c>, Parakeet v3's language tags): never text, so never part of a word.
    /// </summary>
    public bool IsControl(int id) => pieces[id] is { Length: > 2 } piece && piece[0] == '<' && piece[^1] == '>';
}
