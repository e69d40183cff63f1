using System.Text;

namespace Muesli.Cmd;

/// <summary>
/// A one-line editor on <see cref="Console.ReadKey(bool)"/>: arrows move and recall history, Tab completes the word
/// under the cursor (twice: lists the candidates), Ctrl+D on an empty line ends. Without a terminal it reads plain lines.
/// </summary>
public sealed class LineEditor(string prompt, Func<IReadOnlyList<string>, IEnumerable<string>> candidates)
{
    private readonly List<string> _history = [];

    public string? ReadLine()
    {
        Console.Error.Flush();
        if (Console.IsInputRedirected)
        {
            Console.Error.Write(prompt);
            return Console.In.ReadLine();
        }

        var line = new StringBuilder();
        var cursor = 0;
        var recalled = _history.Count;
        Console.Error.Write(prompt);
        while (true)
        {
            var key = Console.ReadKey(intercept: true);
            switch (key.Key)
            {
                case ConsoleKey.Enter:
                    Console.Error.WriteLine();
                    var text = line.ToString();
                    if (text.Trim().Length > 0 && (_history.Count == 0 || _history[^1] != text))
                    {
                        _history.Add(text);
                    }

                    return text;
                case ConsoleKey.Backspace when cursor > 0:
                    line.Remove(--cursor, 1);
                    break;
                case ConsoleKey.Delete when cursor < line.Length:
                    line.Remove(cursor, 1);
                    break;
                case ConsoleKey.LeftArrow when cursor > 0:
                    cursor--;
                    break;
                case ConsoleKey.RightArrow when cursor < line.Length:
                    cursor++;
                    break;
                case ConsoleKey.Home:
                    cursor = 0;
                    break;
                case ConsoleKey.End:
                    cursor = line.Length;
                    break;
                case ConsoleKey.UpArrow when recalled > 0:
                    line.Clear().Append(_history[--recalled]);
                    cursor = line.Length;
                    break;
                case ConsoleKey.DownArrow when recalled < _history.Count:
                    line.Clear().Append(++recalled < _history.Count ? _history[recalled] : "");
                    cursor = line.Length;
                    break;
                case ConsoleKey.Tab:
                    cursor = Complete(line, cursor);
                    break;
                case ConsoleKey.D when key.Modifiers.HasFlag(ConsoleModifiers.Control) && line.Length == 0:
                    Console.Error.WriteLine();
                    return null;
                default:
                    if (!char.IsControl(key.KeyChar))
                    {
                        line.Insert(cursor++, key.KeyChar);
                    }

                    break;
            }

            Redraw(line, cursor);
        }
    }

    private int Complete(StringBuilder line, int cursor)
    {
        var head = line.ToString(0, cursor);
        var start = head.LastIndexOf(' ') + 1;
        var partial = head[start..];
        var before = head[..start].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var matches = candidates(before).Where(c => c.StartsWith(partial, StringComparison.Ordinal)).ToArray();
        if (matches.Length == 0)
        {
            return cursor;
        }

        var common = matches.Aggregate((a, b) => new string(a.Zip(b).TakeWhile(p => p.First == p.Second).Select(p => p.First).ToArray()));
        var insert = common[partial.Length..] + (matches.Length == 1 ? " " : "");
        if (insert.Length == 0)
        {
            Console.Error.WriteLine();
            Console.Error.WriteLine(string.Join("  ", matches));
        }

        line.Insert(cursor, insert);
        return cursor + insert.Length;
    }

    private void Redraw(StringBuilder line, int cursor)
    {
        Console.Error.Write($"\r{prompt}{line}\u001b[K\r{prompt}{line.ToString(0, cursor)}");
    }
}
