using System.Text;
using System.Text.Json;
using Muesli.Actors.Operations;

namespace Muesli.Cmd;

/// <summary>A reply as aligned text (facts, then tables) or as one JSON document for scripts.</summary>
public static class CmdOutput
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static string Text(CmdReply reply)
    {
        var text = new StringBuilder();
        var width = reply.Facts.Count == 0 ? 0 : reply.Facts.Keys.Max(k => k.Length);
        foreach (var (key, value) in reply.Facts)
        {
            text.Append((key + ":").PadRight(width + 2)).AppendLine(Cell(value));
        }

        foreach (var table in reply.Tables)
        {
            if (text.Length > 0)
            {
                text.AppendLine();
            }

            if (table.Rows.Count == 0)
            {
                text.AppendLine($"(no {table.Name})");
                continue;
            }

            var cells = table.Rows.Select(r => r.Select(Cell).ToArray()).ToArray();
            var widths = table.Columns.Select((c, i) => Math.Max(c.Length, cells.Max(r => i < r.Length ? r[i].Length : 0))).ToArray();
            text.AppendLine(Line(table.Columns.ToArray(), widths));
            foreach (var row in cells)
            {
                text.AppendLine(Line(row, widths));
            }
        }

        return text.ToString();
    }

    public static string Json(CmdReply reply)
    {
        var document = new Dictionary<string, object?> { ["ok"] = reply.Ok };
        if (reply.Error is not null)
        {
            document["error"] = reply.Error;
        }

        foreach (var (key, value) in reply.Facts)
        {
            document[key] = Element(value);
        }

        foreach (var table in reply.Tables)
        {
            document[table.Name] = table.Rows
                .Select(r => table.Columns.Select((c, i) => (c, Element(i < r.Count ? r[i] : null))).ToDictionary(x => x.c, x => (object?)x.Item2))
                .ToArray();
        }

        return JsonSerializer.Serialize(document, Indented);
    }

    private static string Line(string[] cells, int[] widths)
        => string.Join("  ", cells.Select((c, i) => i == cells.Length - 1 ? c : c.PadRight(widths[i]))).TrimEnd();

    private static JsonElement Element(object? value) => value as JsonElement? ?? JsonSerializer.SerializeToElement(value);

    private static string Cell(object? value)
    {
        var element = Element(value);
        return element.ValueKind switch
        {
            JsonValueKind.Null or JsonValueKind.Undefined => "-",
            JsonValueKind.String => element.GetString()!,
            _ => element.GetRawText(),
        };
    }
}
