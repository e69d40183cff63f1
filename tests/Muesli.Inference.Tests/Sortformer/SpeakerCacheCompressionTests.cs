using Muesli.Inference.Diarization.Sortformer;

namespace Muesli.Inference.Tests.Sortformer;

public sealed class SpeakerCacheCompressionTests
{
    private const int Speakers = 4;
    private const int S = SpeakerCacheCompression.Silence;

    private static float[] Activities(int frames, params (int Frame, int Speaker, float P)[] active)
    {
        var data = new float[frames * Speakers];
        foreach (var (frame, speaker, p) in active)
        {
            data[(frame * Speakers) + speaker] = p;
        }

        return data;
    }

    [Fact]
    public void A_small_cache_keeps_the_most_confident_lone_frames_grouped_by_speaker_with_silence_after_each()
    {
        // Cache 16 of 4 speakers: 3 silence slots each and 1 frame each as its share, so 4 frames in all. A lone
        // speaker at p scores log(2p); the two-speaker frame 12 scores log(0.45) < 0 and is dropped; each speaker's
        // best frame gets +log 2; frame 17 is newer than the cache (+0.05).
        var p = Activities(
            20,
            (2, 0, 0.9f), (5, 0, 0.95f), (8, 0, 0.7f), (10, 1, 0.8f), (12, 0, 0.9f), (12, 1, 0.9f), (17, 2, 0.6f));

        var selection = SpeakerCacheCompression.SelectFrames(p, 20, Speakers, 16);

        // Ranking: 5 (log 3.8), 10 (log 3.2), 17 (log 2.4 + 0.05), 2 (log 1.8) — then 8 (log 1.4) misses out.
        Assert.Equal([2, 5, S, S, S, 10, S, S, S, 17, S, S, S, S, S, S], selection);
    }

    [Fact]
    public void Frames_newer_than_the_cache_win_ties()
    {
        // Speaker 0 says 0.9 at frames 3 and 18; only the new one (18 ≥ 16) gets +0.05, so it takes speaker 0's
        // boost, and speaker 1's three louder frames leave room for just one of speaker 0's.
        var p = Activities(20, (3, 0, 0.9f), (18, 0, 0.9f), (6, 1, 0.99f), (7, 1, 0.99f), (9, 1, 0.99f));

        var selection = SpeakerCacheCompression.SelectFrames(p, 20, Speakers, 16);

        Assert.Equal([18, S, S, S, 6, 7, 9, S, S, S, S, S, S, S, S, S], selection);
    }

    [Fact]
    public void The_default_cache_keeps_a_quieter_speakers_frames_beside_a_dominant_one()
    {
        // Default cache 188: each speaker's share is 188 / 4 − 3 = 44; its best 33 frames get +2·log 2, its best 66
        // +log 2. Speaker 0 talks alone at 0.99 for frames 0..299 (log 1.98), speaker 1 at 0.6 for 300..349
        // (log 1.2). Frames from 188 on are newer than the cache (+0.05). In order:
        // speaker 0's 188..220, speaker 1's 300..332, speaker 0's 221..253, speaker 1's 333..349, speaker 0's
        // 254..299, then speaker 0's oldest frames 0..13 fill the 176 slots left beside the 12 of silence.
        var active = Enumerable.Range(0, 300).Select(t => (t, 0, 0.99f))
            .Concat(Enumerable.Range(300, 50).Select(t => (t, 1, 0.6f)))
            .ToArray();

        var selection = SpeakerCacheCompression.SelectFrames(Activities(350, active), 350, Speakers, 188);

        var speaker0 = Enumerable.Range(0, 14).Concat(Enumerable.Range(188, 112));
        var speaker1 = Enumerable.Range(300, 50);
        var silence = Enumerable.Repeat(S, 3);
        Assert.Equal(speaker0.Concat(silence).Concat(speaker1).Concat(silence).Concat(silence).Concat(silence), selection);
    }

    [Fact]
    public void Every_speaker_keeps_its_strong_share_when_louder_speakers_could_fill_the_cache()
    {
        // Speakers 0, 1, 2 talk alone at 0.99 for 100 frames each, speaker 3 at 0.51 (log 1.02) for 100 more.
        // Each speaker's best 33 get +3·log 2 in all (base ≈ 0.68, or 0.73 from frame 188 on); the next 33 +log 2.
        // By score: 2.81 speaker 1's 188..199 and speaker 2's 200..232; 2.76 speaker 0's 0..32 and speaker 1's
        // 100..120; 2.15 speaker 3's 300..332; 1.43 speaker 2's 233..265; 1.38 speaker 0's 33..65 and speaker 1's
        // 121..153, of which 11 slots remain, taken in cache order (speaker 0 first). Without the strong boost the
        // louder speakers' 1.4s would fill the cache and speaker 3 would keep nothing.
        var active = Enumerable.Range(0, 300).Select(t => (t, t / 100, 0.99f))
            .Concat(Enumerable.Range(300, 100).Select(t => (t, 3, 0.51f)))
            .ToArray();

        var selection = SpeakerCacheCompression.SelectFrames(Activities(400, active), 400, Speakers, 188);

        var silence = Enumerable.Repeat(S, 3);
        var expected = Enumerable.Range(0, 44).Concat(silence)
            .Concat(Enumerable.Range(100, 21)).Concat(Enumerable.Range(188, 12)).Concat(silence)
            .Concat(Enumerable.Range(200, 66)).Concat(silence)
            .Concat(Enumerable.Range(300, 33)).Concat(silence);
        Assert.Equal(expected, selection);
    }

    [Fact]
    public void Overlapped_frames_count_only_for_a_speaker_with_too_few_lone_ones()
    {
        // Cache 32: share 5, so a speaker needs 2 positive (lone) frames before its overlapped ones are dropped.
        // Speakers 0 and 1 overlap on frames 0..4; speaker 1 is also alone on 5..10, speaker 0 never.
        var active = Enumerable.Range(0, 5).SelectMany(t => new[] { (t, 0, 0.9f), (t, 1, 0.9f) })
            .Concat(Enumerable.Range(5, 6).Select(t => (t, 1, 0.9f)))
            .ToArray();

        var selection = SpeakerCacheCompression.SelectFrames(Activities(40, active), 40, Speakers, 32);

        // 23 slots are taken; the 9 left have no candidate with any score and become silence at the end.
        var expected = new[] { 0, 1, 2, 3, 4, S, S, S, 5, 6, 7, 8, 9, 10 }.Concat(Enumerable.Repeat(S, 18));
        Assert.Equal(expected, selection);
    }

    [Fact]
    public void Silence_keeps_only_silence_slots()
    {
        var selection = SpeakerCacheCompression.SelectFrames(Activities(30, (4, 2, 0.5f)), 30, Speakers, 16);

        Assert.All(selection, slot => Assert.Equal(S, slot));
    }

    [Fact]
    public void Kept_frames_carry_their_embeddings_and_activities_and_silence_slots_the_mean_silence()
    {
        const int Width = 2;
        var p = Activities(20, (2, 0, 0.9f), (5, 0, 0.95f), (10, 1, 0.8f), (17, 2, 0.6f));
        var embeddings = Enumerable.Range(0, 20).SelectMany(t => new[] { (float)t, -t }).ToArray();
        var keptEmbeddings = new float[16 * Width];
        var keptActivities = new float[16 * Speakers];

        SpeakerCacheCompression.Compress(embeddings, p, 20, Speakers, [0.5f, 0.25f], 16, keptEmbeddings, keptActivities);

        var expectedFrames = new[] { 2, 5, S, S, S, 10, S, S, S, 17, S, S, S, S, S, S };
        for (var slot = 0; slot < 16; slot++)
        {
            var frame = expectedFrames[slot];
            Assert.Equal(frame == S ? [0.5f, 0.25f] : [frame, -frame], keptEmbeddings[(slot * Width)..((slot + 1) * Width)]);
            Assert.Equal(frame == S ? new float[Speakers] : p[(frame * Speakers)..((frame + 1) * Speakers)], keptActivities[(slot * Speakers)..((slot + 1) * Speakers)]);
        }
    }
}
