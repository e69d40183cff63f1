using Muesli.Core.Speakers;
using Muesli.Core.Transcripts;
using Xunit;

namespace Muesli.Core.Tests.Speakers;

public sealed class SpeakerLinkerTests
{
    private static readonly SpeakerLinkOptions Options = new();

    // Three voices as unit vectors far apart (cosine distance 1 between any two).
    private static readonly float[] Ann = [1, 0, 0, 0];
    private static readonly float[] Bob = [0, 1, 0, 0];
    private static readonly float[] Cat = [0, 0, 1, 0];

    [Fact]
    public void The_first_window_numbers_its_speakers_in_order_of_first_speech()
    {
        var locals = new[] { Local("B", Bob, 20, 25), Local("A", Ann, 5, 10) };
        var mapping = SpeakerLinker.Link(SpeakerLinkState.Empty, locals, Options);
        Assert.Equal("SPEAKER_00", mapping["A"]);
        Assert.Equal("SPEAKER_01", mapping["B"]);
    }

    [Fact]
    public void A_later_window_with_swapped_local_labels_keeps_each_persons_id()
    {
        var state = Window(SpeakerLinkState.Empty, Local("A", Ann, 0, 10), Local("B", Bob, 10, 20));
        var swapped = new[] { Local("A", Noisy(Bob, 0.2f), 30, 40), Local("B", Noisy(Ann, 0.2f), 40, 50) };
        var mapping = SpeakerLinker.Link(state, swapped, Options);
        Assert.Equal("SPEAKER_01", mapping["A"]);
        Assert.Equal("SPEAKER_00", mapping["B"]);
    }

    [Fact]
    public void Only_a_voice_past_the_threshold_from_everyone_is_a_new_speaker()
    {
        var state = Window(SpeakerLinkState.Empty, Local("A", Ann, 0, 10), Local("B", Bob, 10, 20));
        var mapping = SpeakerLinker.Link(state, [Local("X", Cat, 30, 40), Local("Y", Noisy(Ann, 0.3f), 40, 45)], Options);
        Assert.Equal("SPEAKER_02", mapping["X"]);
        Assert.Equal("SPEAKER_00", mapping["Y"]);
    }

    [Fact]
    public void Two_window_speakers_close_to_one_person_both_map_to_that_person()
    {
        var state = Window(SpeakerLinkState.Empty, Local("A", Ann, 0, 10), Local("B", Bob, 10, 20));
        var mapping = SpeakerLinker.Link(state, [Local("A1", Noisy(Ann, 0.1f), 30, 35), Local("A2", Noisy(Ann, 0.3f), 35, 40)], Options);
        Assert.Equal("SPEAKER_00", mapping["A1"]);
        Assert.Equal("SPEAKER_00", mapping["A2"]);
    }

    [Fact]
    public void Centroids_are_the_normalised_mean_of_the_embeddings_weighted_by_seconds()
    {
        var state = Window(SpeakerLinkState.Empty, Local("A", [1, 0, 0, 0], 0, 30));
        state = Window(state, Local("A", [0.8f, 0.6f, 0, 0], 40, 50));
        var centroid = state.Speakers.Single().Centroid!;
        var expected = Normalise([(1 * 30 + 0.8f * 10) / 40f, (0.6f * 10) / 40f, 0, 0]);
        Assert.Equal(expected, centroid, (a, b) => Math.Abs(a - b) < 1e-6);
        Assert.Equal(40, state.Speakers.Single().Weight, 6);
    }

    [Fact]
    public void A_centroid_remembers_a_bounded_amount_of_speech()
    {
        var mapping = new Dictionary<string, string> { ["A"] = "SPEAKER_00" };
        var state = SpeakerLinker.Update(SpeakerLinkState.Empty, [Local("A", [1, 0, 0, 0], 0, 300)], mapping);
        state = SpeakerLinker.Update(state, [Local("A", [0, 1, 0, 0], 300, 330)], mapping);
        var speaker = state.Speakers.Single();
        Assert.Equal(SpeakerLinker.CentroidMemorySeconds, speaker.Weight, 6);
        var expected = Normalise([(float)((SpeakerLinker.CentroidMemorySeconds - 30) / SpeakerLinker.CentroidMemorySeconds), 30 / (float)SpeakerLinker.CentroidMemorySeconds, 0, 0]);
        Assert.Equal(expected, speaker.Centroid!, (a, b) => Math.Abs(a - b) < 1e-6);
    }

    [Fact]
    public void A_slowly_drifting_voice_keeps_its_id_because_the_centroid_follows_it()
    {
        var state = SpeakerLinkState.Empty;
        var ids = new List<string>();
        for (var w = 0; w < 40; w++)
        {
            // The voice turns by 3 degrees a window: 120 degrees in all, far from where it started.
            var angle = w * 3 * Math.PI / 180;
            var local = Local("L", [(float)Math.Cos(angle), (float)Math.Sin(angle), 0, 0], w * 15, (w * 15) + 10);
            var mapping = SpeakerLinker.Link(state, [local], Options);
            ids.Add(mapping["L"]);
            state = SpeakerLinker.Update(state, [local], mapping);
        }

        Assert.All(ids, id => Assert.Equal("SPEAKER_00", id));
    }

    [Fact]
    public void Without_an_embedding_a_speaker_is_linked_by_the_time_it_shares_with_the_previous_window()
    {
        var state = Window(SpeakerLinkState.Empty, Local("A", null, 0, 10), Local("B", null, 10, 20));
        var mapping = SpeakerLinker.Link(state, [Local("X", null, 12, 18), Local("Y", null, 25, 30)], Options);
        Assert.Equal("SPEAKER_01", mapping["X"]);
        Assert.Equal("SPEAKER_02", mapping["Y"]);
    }

    [Fact]
    public void Replaying_the_same_windows_gives_the_same_state()
    {
        var windows = Enumerable.Range(0, 10)
            .Select(w => new[] { Local("A", Noisy(w % 2 == 0 ? Ann : Bob, 0.1f * (w % 3)), w * 10, (w * 10) + 5), Local("B", Noisy(Cat, 0.05f), (w * 10) + 5, (w * 10) + 9) })
            .ToArray();
        var (first, second) = (Replay(windows), Replay(windows));
        Assert.Equal(first.Speakers.Select(s => (s.Id, s.Weight)), second.Speakers.Select(s => (s.Id, s.Weight)));
        Assert.All(first.Speakers.Zip(second.Speakers), p => Assert.Equal(p.First.Centroid, p.Second.Centroid));
    }

    private static SpeakerLinkState Replay(IEnumerable<LocalSpeaker[]> windows)
        => windows.Aggregate(SpeakerLinkState.Empty, (s, locals) => Window(s, locals));

    private static SpeakerLinkState Window(SpeakerLinkState state, params LocalSpeaker[] locals)
        => SpeakerLinker.Update(state, locals, SpeakerLinker.Link(state, locals, Options));

    private static LocalSpeaker Local(string label, float[]? embedding, double start, double end)
        => new(label, embedding, end - start, [new SpeakerSegment(start, end, label)]);

    /// <summary>The voice moved toward the fourth axis by <paramref name="amount"/>: same person, another window's take.</summary>
    private static float[] Noisy(float[] voice, float amount) => Normalise(voice.Select((x, i) => i == 3 ? x + amount : x).ToArray());

    private static float[] Normalise(float[] v)
    {
        var norm = Math.Sqrt(v.Sum(x => x * x));
        return v.Select(x => (float)(x / norm)).ToArray();
    }
}
