using System.Globalization;
using System.Text.Json;

namespace Muesli.Host.Reprocess;

/// <summary>
/// The recording sessions of a meeting folder as the app lays it out, in meeting order: <c>meeting.json</c>'s
/// <c>sessions[].audio_folder</c> (relative to the meeting folder, or absolute) ordered by <c>session_id</c>; without
/// those, <c>audio</c> and then every other folder whose name starts with <c>audio</c>, by name. Each session folder
/// holds <c>system.wav</c> and <c>mic.wav</c>.
/// </summary>
public static class MeetingSessions
{
    public const string MeetingFile = "meeting.json";
    public const string AudioFolder = "audio";

    /// <summary>The session folders that exist; <paramref name="notes"/> hears why a listed one was passed over.</summary>
    public static IReadOnlyList<string> Find(string meetingDirectory, Action<string>? notes = null)
    {
        if (!Directory.Exists(meetingDirectory))
        {
            return [];
        }

        var listed = Listed(meetingDirectory, notes);
        if (listed.Count > 0)
        {
            return listed;
        }

        var folders = Directory.GetDirectories(meetingDirectory)
            .Select(Path.GetFileName)
            .OfType<string>()
            .Where(name => name.StartsWith(AudioFolder, StringComparison.Ordinal))
            .OrderBy(name => name == AudioFolder ? 0 : 1)
            .ThenBy(name => name, StringComparer.Ordinal);
        return folders.Select(name => Path.Combine(meetingDirectory, name)).ToArray();
    }

    private static List<string> Listed(string meetingDirectory, Action<string>? notes)
    {
        var path = Path.Combine(meetingDirectory, MeetingFile);
        if (!File.Exists(path))
        {
            return [];
        }

        var sessions = new List<(JsonElement Id, int Order, string Folder)>();
        try
        {
            using var json = JsonDocument.Parse(File.ReadAllText(path));
            if (json.RootElement.ValueKind != JsonValueKind.Object
                || !json.RootElement.TryGetProperty("sessions", out var list)
                || list.ValueKind != JsonValueKind.Array)
            {
                return [];
            }

            foreach (var session in list.EnumerateArray())
            {
                if (session.ValueKind != JsonValueKind.Object
                    || !session.TryGetProperty("audio_folder", out var folder)
                    || folder.ValueKind != JsonValueKind.String
                    || folder.GetString() is not { Length: > 0 } name)
                {
                    continue;
                }

                var full = Path.IsPathRooted(name) ? name : Path.Combine(meetingDirectory, name);
                if (!Directory.Exists(full))
                {
                    notes?.Invoke($"{MeetingFile}: session folder {name} does not exist; passed over");
                    continue;
                }

                var id = session.TryGetProperty("session_id", out var sessionId) ? sessionId.Clone() : default;
                sessions.Add((id, sessions.Count, full));
            }
        }
        catch (Exception e) when (e is JsonException or IOException or UnauthorizedAccessException)
        {
            notes?.Invoke($"{MeetingFile} cannot be read ({e.Message}); looking for audio folders instead");
            return [];
        }

        return sessions
            .OrderBy(s => s.Id, SessionIds.Instance)
            .ThenBy(s => s.Order)
            .Select(s => s.Folder)
            .ToList();
    }

    /// <summary>Numbers (or numeric strings) in numeric order, before other ids in ordinal order; a missing id last.</summary>
    private sealed class SessionIds : IComparer<JsonElement>
    {
        public static readonly SessionIds Instance = new();

        public int Compare(JsonElement x, JsonElement y)
        {
            var (xRank, xNumber, xText) = Key(x);
            var (yRank, yNumber, yText) = Key(y);
            return xRank != yRank ? xRank.CompareTo(yRank)
                : xRank == 0 ? xNumber.CompareTo(yNumber)
                : string.CompareOrdinal(xText, yText);
        }

        private static (int Rank, double Number, string Text) Key(JsonElement id)
        {
            var text = id.ValueKind switch
            {
                JsonValueKind.Number => id.GetRawText(),
                JsonValueKind.String => id.GetString() ?? "",
                _ => null,
            };
            if (text is null)
            {
                return (2, 0, "");
            }

            return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number)
                ? (0, number, text)
                : (1, 0, text);
        }
    }
}
