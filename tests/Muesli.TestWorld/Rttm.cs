using System.Globalization;
using System.Text;

namespace Muesli.TestWorld;

/// <summary>NIST RTTM speaker lines: <c>SPEAKER file 1 onset duration &lt;NA&gt; &lt;NA&gt; speaker &lt;NA&gt; &lt;NA&gt;</c>.</summary>
public static class Rttm
{
    public static string Format(string fileId, IEnumerable<TruthTurn> turns)
    {
        var text = new StringBuilder();
        foreach (var turn in turns.OrderBy(t => t.T0))
        {
            text.Append(CultureInfo.InvariantCulture,
                $"SPEAKER {fileId} 1 {turn.T0:0.000} {turn.T1 - turn.T0:0.000} <NA> <NA> {turn.Speaker} <NA> <NA>\n");
        }

        return text.ToString();
    }

    /// <summary>Reads the SPEAKER lines of RTTM text as turns (stream "all"); other line types are skipped.</summary>
    public static IReadOnlyList<TruthTurn> Parse(string text)
    {
        var turns = new List<TruthTurn>();
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 8 || fields[0] != "SPEAKER")
            {
                continue;
            }

            var onset = double.Parse(fields[3], CultureInfo.InvariantCulture);
            var duration = double.Parse(fields[4], CultureInfo.InvariantCulture);
            turns.Add(new TruthTurn(fields[7], ToneMeeting.AllStreams, onset, onset + duration));
        }

        return turns;
    }
}
