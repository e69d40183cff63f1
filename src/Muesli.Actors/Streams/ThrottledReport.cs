namespace Muesli.Actors.Streams;

/// <summary>
/// Lets one report of a kind through per interval and counts the rest, so a flood of bad frames gives a few
/// clear messages instead of thousands.
/// </summary>
public sealed class ThrottledReport(TimeSpan interval)
{
    private readonly Dictionary<string, (DateTime Last, int Suppressed)> _kinds = new();

    /// <summary>The message to send now (with the count of those held back since the last one), or null.</summary>
    public string? Next(string kind, string message, DateTime now)
    {
        if (_kinds.TryGetValue(kind, out var entry) && now - entry.Last < interval)
        {
            _kinds[kind] = (entry.Last, entry.Suppressed + 1);
            return null;
        }

        _kinds[kind] = (now, 0);
        return entry.Suppressed > 0 ? $"{message} ({entry.Suppressed} more like it since the last report)" : message;
    }
}
