using Muesli.Core.Transcripts;
using Muesli.Inference.Vad;

namespace Muesli.Inference.Tests.Support;

/// <summary>Assertions on timed results: the same items in the same order, each start and end within 1e-9 s.</summary>
internal static class TimedAssert
{
    public static void Words(IEnumerable<(string Text, double Start, double End)> expected, IReadOnlyList<Word> actual)
    {
        var wanted = expected.ToList();
        Assert.Equal(wanted.Select(w => w.Text), actual.Select(w => w.Text));
        Times(wanted.Select(w => (w.Start, w.End)), actual.Select(w => (w.Start, w.End)));
    }

    public static void Regions(IEnumerable<(double Start, double End)> expected, IReadOnlyList<SpeechRegion> actual)
    {
        var wanted = expected.ToList();
        Assert.Equal(wanted.Count, actual.Count);
        Times(wanted, actual.Select(r => (r.Start, r.End)));
    }

    private static void Times(IEnumerable<(double Start, double End)> expected, IEnumerable<(double Start, double End)> actual)
    {
        foreach (var (e, a) in expected.Zip(actual))
        {
            Assert.Equal(e.Start, a.Start, 1e-9);
            Assert.Equal(e.End, a.End, 1e-9);
        }
    }
}
