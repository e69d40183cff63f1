namespace Muesli.Inference.Asr;

/// <summary>What every <c>tokens.txt</c> reader shares: opening the file, and ids that run 0..N−1 each once.</summary>
internal static class TokensFile
{
    /// <summary>The file's lines, read lazily; a missing file fails here, before parsing starts.</summary>
    public static IEnumerable<string> Lines(string path) => File.Exists(path)
        ? File.ReadLines(path)
        : throw new FileNotFoundException($"tokens file not found: {path}", path);

    /// <summary>The entries in id order; fails when there are none or an id is missing.</summary>
    /// <param name="idName">What the file calls an id ("id", "rank"), as errors name it.</param>
    public static T[] InIdOrder<T>(IReadOnlyDictionary<int, T> byId, string source, string idName)
    {
        if (byId.Count == 0)
        {
            throw new InvalidDataException($"{source}: has no tokens");
        }

        var entries = new T[byId.Count];
        for (var id = 0; id < entries.Length; id++)
        {
            entries[id] = byId.TryGetValue(id, out var entry)
                ? entry
                : throw new InvalidDataException(
                    $"{source}: {idName}s must run 0..{entries.Length - 1} but {id} is missing (largest {idName} {byId.Keys.Max()})");
        }

        return entries;
    }
}
