using Muesli.Core.Commit;
using Muesli.Core.Merge;
using Muesli.Core.Transcripts;

namespace Muesli.Actors.Finalize;

/// <summary>The full-file pass over a long stream is windowed; its windows are stitched by the same commit policy as
/// live windows, so a word in the overlap of two windows appears once.</summary>
public static class FinalPass
{
    public static IReadOnlyList<LabelledWord> Stitch(IReadOnlyList<FinalWindow> windows, double lagSeconds, MergeOptions merge)
    {
        var state = CommitState.Initial;
        var words = new List<LabelledWord>();
        for (var i = 0; i < windows.Count; i++)
        {
            var window = windows[i];
            var end = window.Window.TimestampOffset + Core.AudioFormat.Asr.SecondsOf(window.Window.Length);
            var cutoff = i == windows.Count - 1 ? double.PositiveInfinity : end - lagSeconds;
            var outcome = CommitPolicy.Apply(state, window.Words, cutoff, merge);
            words.AddRange(outcome.Committed);
            state = outcome.State;
        }

        return words;
    }
}
