using System.Globalization;

namespace Muesli.Inference.Tests.Vad;

/// <summary>One speaker turn of a reference RTTM file.</summary>
internal sealed record RttmTurn(string Speaker, double Start, double End);

/// <summary>Reads <c>SPEAKER file channel start duration &lt;NA&gt; &lt;NA&gt; speaker …</c> lines.</summary>
internal static class Rttm
{
    public static IReadOnlyList<RttmTurn> Read(string path) =>
        File.ReadLines(path)
            .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(fields => fields.Length >= 8 && fields[0] == "SPEAKER")
            .Select(fields =>
            {
                var start = double.Parse(fields[3], CultureInfo.InvariantCulture);
                var duration = double.Parse(fields[4], CultureInfo.InvariantCulture);
                return new RttmTurn(fields[7], start, start + duration);
            })
            .ToArray();
}
