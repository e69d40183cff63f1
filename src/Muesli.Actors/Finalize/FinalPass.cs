using Muesli.Core.Commit;
using Muesli.Core.Merge;
using Muesli.Core.Speakers;
using Muesli.Core.Transcripts;
using Muesli.Inference;

namespace Muesli.Actors.Finalize;

/// <summary>
/// The full-file pass over a long stream is windowed. Its windows' speakers are grouped across the whole file by
/// clustering their embeddings (a stream of one window keeps its diarizer's labels, already global), and its
/// windows are stitched by the same commit policy as live windows, so a word in the overlap of two windows
/// appears once.
/// </summary>
public static class FinalPass
{
    public static IReadOnlyList<LabelledWord> Stitch(IReadOnlyList<FinalWindow> windows, double lagSeconds, MergeOptions merge, ClusteringOptions clustering)
    {
        using var timing = StageClock.Time(StageClock.Merge);
        var labels = Relabel(windows, clustering);
        var state = CommitState.Initial;
        var words = new List<LabelledWord>();
        for (var i = 0; i < windows.Count; i++)
        {
            var window = windows[i];
            var end = window.Window.TimestampOffset + Core.AudioFormat.Asr.SecondsOf(window.Window.Length);
            var cutoff = i == windows.Count - 1 ? double.PositiveInfinity : end - lagSeconds;
            var heard = window.Words.Select(w => w with { Speaker = labels[i].GetValueOrDefault(w.Speaker, w.Speaker) }).ToArray();
            var outcome = CommitPolicy.Apply(state, heard, cutoff, merge);
            words.AddRange(outcome.Committed);
            state = outcome.State;
        }

        return words;
    }

    /// <summary>For each window, local label → file-wide label (SPEAKER_00… in order of first appearance).</summary>
    public static IReadOnlyList<IReadOnlyDictionary<string, string>> Relabel(IReadOnlyList<FinalWindow> windows, ClusteringOptions clustering, double minSeconds = 0.5)
    {
        // One window keeps its diarizer's labels, unless a speaker count (or bounds) must be imposed on them.
        if (windows.Count == 0 || (windows.Count == 1 && !clustering.Constrained))
        {
            return windows.Select(w => (IReadOnlyDictionary<string, string>)w.Segments.Select(s => s.Speaker).Distinct().ToDictionary(l => l, l => l)).ToArray();
        }

        var items = windows
            .SelectMany((w, i) => w.Segments.Select(s => s.Speaker).Distinct().Select(label => (Window: i, Label: label, Embedding: w.Embeddings.GetValueOrDefault(label))))
            .ToArray();
        var embedded = items.Where(x => x.Embedding is not null).ToArray();
        var clusters = embedded.Length == 0 ? [] : AgglomerativeClustering.Cluster(embedded.Select(x => x.Embedding!).ToArray(), clustering);
        var mappings = windows.Select(_ => new Dictionary<string, string>()).ToArray();
        for (var k = 0; k < embedded.Length; k++)
        {
            mappings[embedded[k].Window][embedded[k].Label] = $"SPEAKER_{clusters[k]:00}";
        }

        // A speaker without an embedding takes the id it shares the most time with in the window before.
        var next = clusters.DefaultIfEmpty(-1).Max() + 1;
        IReadOnlyList<SpeakerSegment> previous = [];
        for (var i = 0; i < windows.Count; i++)
        {
            foreach (var local in windows[i].Segments.GroupBy(s => s.Speaker).Where(g => !mappings[i].ContainsKey(g.Key)))
            {
                mappings[i][local.Key] = SpeakerLinker.ByTime(previous, local.ToArray(), minSeconds) ?? $"SPEAKER_{next++:00}";
            }

            var mapping = mappings[i];
            previous = windows[i].Segments.Select(s => s with { Speaker = mapping[s.Speaker] }).ToArray();
        }

        return mappings;
    }
}
