using System.Text.Json;

namespace Muesli.Host.Tests;

/// <summary>The protocol spec's event shapes: exact key sets and value kinds, per event.</summary>
public static class EventShapes
{
    private const JsonValueKind Str = JsonValueKind.String;
    private const JsonValueKind Num = JsonValueKind.Number;
    private const JsonValueKind Obj = JsonValueKind.Object;
    private const JsonValueKind Arr = JsonValueKind.Array;
    private const JsonValueKind Bool = JsonValueKind.True;

    /// <summary>Null when <paramref name="e"/> has one of the spec's shapes, else what is wrong with it.</summary>
    public static string? Check(JsonElement e)
    {
        if (e.ValueKind != Obj || !e.TryGetProperty("type", out var type) || type.ValueKind != Str)
        {
            return "not an object with a string 'type'";
        }

        return type.GetString() switch
        {
            "status" when e.TryGetProperty("stage", out _) => Keys(e, ("type", Str), ("stage", Str))
                ?? OneOf(e.GetProperty("stage").GetString(), "preparing", "transcribing", "diarizing", "merging", "recovering", "complete"),
            "status" => e.GetProperty("message").GetString() switch
            {
                // A node names the meeting in meeting_started and tells a resuming client where its recording ends.
                "meeting_started" => Keys(e, ["meeting_id"], ("type", Str), ("message", Str), ("meta", Obj)),
                "meeting_resumed" => Keys(e, ["resume_pts_us"], ("type", Str), ("message", Str), ("meeting_id", Str), ("segments", Num))
                    ?? (e.TryGetProperty("resume_pts_us", out var pts) ? Keys(pts, ("system", Num), ("mic", Num)) : null),
                "node_stopping" => Keys(e, ("type", Str), ("message", Str)),
                "live_process_start" => Keys(e, ("type", Str), ("message", Str), ("stream", Str), ("duration", Num), ("finalize", Bool))
                    ?? StreamName(e),
                "live_process_done" => Keys(e, ("type", Str), ("message", Str), ("stream", Str), ("duration", Num), ("turns", Num), ("finalize", Bool))
                    ?? StreamName(e),
                "meeting_stopped" => Keys(e, ("type", Str), ("message", Str)),
                var other => $"unknown status message '{other}'",
            },
            "meter" => Keys(e, ("type", Str), ("stream", Str), ("t", Num), ("rms", Num)) ?? StreamName(e),
            "speakers" => Keys(e, ("type", Str), ("known", Arr)) ?? Items(e.GetProperty("known"), s => Keys(s, ("speaker_id", Str), ("name", Str))),
            "segment" => Keys(e, ["words"], ("type", Str), ("speaker", Str), ("speaker_id", Str), ("stream", Str), ("t0", Num), ("t1", Num), ("text", Str))
                ?? StreamName(e)
                ?? (e.TryGetProperty("words", out var words) ? Items(words, TimedWord) : null),
            "partial" => Keys(e, ("type", Str), ("speaker_id", Str), ("stream", Str), ("t0", Num), ("text", Str)) ?? StreamName(e),
            "error" => Keys(e, ("type", Str), ("message", Str)),
            "result" => Keys(e, ("type", Str), ("turns", Arr), ("speakers", Arr), ("duration", Num))
                ?? Items(e.GetProperty("turns"), t => Keys(t, ["words"], ("speaker_id", Str), ("stream", Str), ("t0", Num), ("t1", Num), ("text", Str))
                    ?? (t.TryGetProperty("words", out var turnWords) ? Items(turnWords, TimedWord) : null))
                ?? Items(e.GetProperty("speakers"), s => Keys(s, ("speaker_id", Str), ("name", Str))),
            "speaker_map" => Keys(e, ("type", Str), ("stream", Str), ("map", Obj)) ?? StreamName(e)
                ?? e.GetProperty("map").EnumerateObject().Select(p => p.Value.ValueKind == Str ? null : $"map value of {p.Name} is not a string").FirstOrDefault(x => x is not null),
            "screenshot" => null,
            var other => $"unknown event type '{other}'",
        };
    }

    /// <summary>A word of a segment or a result turn (<c>--emit-words</c>): its confidence only where the engine scores words.</summary>
    private static string? TimedWord(JsonElement w) => Keys(w, ["confidence"], ("text", Str), ("t0", Num), ("t1", Num));

    private static string? Keys(JsonElement e, params (string Name, JsonValueKind Kind)[] keys) => Keys(e, [], keys);

    private static string? Keys(JsonElement e, string[] optional, params (string Name, JsonValueKind Kind)[] keys)
    {
        var names = e.EnumerateObject().Select(p => p.Name).ToArray();
        var expected = keys.Select(k => k.Name).ToArray();
        if (!names.Except(optional).SequenceEqual(expected))
        {
            return $"keys [{string.Join(",", names)}], expected [{string.Join(",", expected)}]";
        }

        foreach (var (name, kind) in keys)
        {
            var actual = e.GetProperty(name).ValueKind;
            var ok = kind == Bool ? actual is JsonValueKind.True or JsonValueKind.False : actual == kind;
            if (!ok)
            {
                return $"'{name}' is {actual}, expected {kind}";
            }
        }

        return null;
    }

    private static string? StreamName(JsonElement e) => OneOf(e.GetProperty("stream").GetString(), "system", "mic");

    private static string? OneOf(string? value, params string[] allowed)
        => allowed.Contains(value) ? null : $"'{value}' is not one of {string.Join(", ", allowed)}";

    private static string? Items(JsonElement array, Func<JsonElement, string?> check)
        => array.EnumerateArray().Select(check).FirstOrDefault(problem => problem is not null);
}
