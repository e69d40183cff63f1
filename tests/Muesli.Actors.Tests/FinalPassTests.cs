using Muesli.Actors.Finalize;
using Muesli.Core.Merge;
using Muesli.Core.Speakers;
using Muesli.Core.Transcripts;
using Muesli.Core.Windows;
using Xunit;

namespace Muesli.Actors.Tests;

public sealed class FinalPassTests
{
    private static readonly float[] Ann = [1, 0, 0];
    private static readonly float[] Bob = [0, 1, 0];

    [Fact]
    public void Speakers_of_different_windows_are_grouped_by_their_embeddings_across_the_file()
    {
        // Window 1 calls Ann "SPEAKER_00"; window 2, whose diarizer saw Bob first, calls her "SPEAKER_01".
        var windows = new[]
        {
            Window(0, 0, 100, ("SPEAKER_00", Ann, 0, 50), ("SPEAKER_01", Bob, 50, 95)),
            Window(1, 70, 200, ("SPEAKER_00", Bob, 95, 150), ("SPEAKER_01", Ann, 150, 200)),
        };

        var labels = FinalPass.Relabel(windows, new ClusteringOptions());

        Assert.Equal(labels[0]["SPEAKER_00"], labels[1]["SPEAKER_01"]);
        Assert.Equal(labels[0]["SPEAKER_01"], labels[1]["SPEAKER_00"]);
        Assert.NotEqual(labels[0]["SPEAKER_00"], labels[0]["SPEAKER_01"]);
    }

    [Fact]
    public void Without_embeddings_a_window_speaker_takes_the_id_it_shares_the_most_time_with_before()
    {
        var windows = new[]
        {
            Window(0, 0, 100, ("A", null, 0, 50), ("B", null, 50, 98)),
            Window(1, 70, 200, ("X", null, 72, 98), ("Y", null, 110, 200)),
        };

        var labels = FinalPass.Relabel(windows, new ClusteringOptions());

        Assert.Equal(labels[0]["B"], labels[1]["X"]);
        Assert.DoesNotContain(labels[1]["Y"], labels[0].Values);
    }

    [Fact]
    public void Stitching_keeps_each_word_of_overlapping_windows_once_under_its_file_wide_speaker()
    {
        var windows = new[]
        {
            Window(0, 0, 100, ("SPEAKER_00", Ann, 0, 100)),
            Window(1, 70, 150, ("SPEAKER_00", Bob, 70, 100), ("SPEAKER_01", Ann, 100, 150)),
        };

        var words = FinalPass.Stitch(windows, lagSeconds: 5, new MergeOptions(), new ClusteringOptions());

        Assert.Equal(Enumerable.Range(0, 150).Select(i => $"w{i}"), words.Select(w => w.Word.Text));
        Assert.Single(words.Where(w => w.Word.Start < 95).Select(w => w.Speaker).Distinct());
    }

    /// <summary>A finalize window whose speakers each speak a word a second over their span.</summary>
    private static FinalWindow Window(int index, double start, double end, params (string Label, float[]? Embedding, double From, double To)[] speakers)
    {
        var segments = speakers.Select(s => new SpeakerSegment(s.From, s.To, s.Label)).ToArray();
        var words = speakers
            .SelectMany(s => Enumerable.Range((int)s.From, (int)(s.To - s.From)).Select(i => new LabelledWord(new Word($"w{i}", i + 0.2, i + 0.5), s.Label)))
            .Where(w => w.Word.Start >= start && w.Word.End <= end)
            .ToArray();
        var embeddings = speakers.Where(s => s.Embedding is not null).ToDictionary(s => s.Label, s => s.Embedding!);
        return new FinalWindow(index, new Window((long)(start * 32000), (long)(end * 32000), start, true), words, segments, embeddings, null);
    }
}
