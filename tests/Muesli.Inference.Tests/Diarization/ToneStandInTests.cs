using Muesli.Inference.Diarization;
using Muesli.Inference.Tests.Support;
using Muesli.TestWorld;
using Muesli.TestWorld.StandIns;

namespace Muesli.Inference.Tests.Diarization;

/// <summary>The stand-ins load as the real exports do and hear the tone world's voices.</summary>
public sealed class ToneStandInTests : IDisposable
{
    private const int Rate = 16000;

    private readonly ModelFolder folder = new();
    private readonly OnnxSessionFactory sessions = new(DeviceOptions.Cpu);

    public void Dispose() => folder.Dispose();

    private PyannoteSegmentationModel Segmentation()
    {
        var path = Path.Combine(folder.Path, "segmentation.onnx");
        File.WriteAllBytes(path, ToneSegmentationModel.Build());
        return new PyannoteSegmentationModel(sessions.Create(path, "segmentation"), path);
    }

    private SpeakerEmbedder Embedder()
    {
        var path = Path.Combine(folder.Path, "embedding.onnx");
        File.WriteAllBytes(path, ToneEmbeddingModel.Build());
        return SpeakerEmbedder.Load(ToneEmbeddingModel.Id, path, SpeakerEmbeddingRecipe.WeSpeaker, sessions);
    }

    /// <summary>Noise at the tone world's default level, with voices (speaker, from, to) on as the generator plays them.</summary>
    private static float[] Voices(double seconds, int seed, params (int Speaker, double From, double To)[] voices)
    {
        var random = new Random(seed);
        var halfWidth = 0.001 * Math.Sqrt(3);
        var audio = new float[(int)(seconds * Rate)];
        for (var n = 0; n < audio.Length; n++)
        {
            var t = (double)n / Rate;
            var x = halfWidth * ((2 * random.NextDouble()) - 1);
            foreach (var (speaker, from, to) in voices.Where(v => t >= v.From && t < v.To))
            {
                x += ToneLanguage.VoiceAmplitude * Math.Sin(2 * Math.PI * ToneLanguage.VoiceFrequency(speaker) * t);
            }

            audio[n] = (float)x;
        }

        return audio;
    }

    /// <summary>The best class per frame of a 10 s window, as the set of local slots it holds.</summary>
    private static int[][] Decode(PyannoteSegmentationModel model, float[] window)
    {
        var scores = model.Run(window, 1);
        var active = model.Powerset.Decode(scores.Window(0), scores.Frames);
        return Enumerable.Range(0, scores.Frames)
            .Select(t => Enumerable.Range(0, 3).Where(s => active[(t * 3) + s]).ToArray())
            .ToArray();
    }

    /// <summary>Frames whose whole receptive field lies in [from, to) seconds.</summary>
    private static IEnumerable<int> FramesWithin(double from, double to)
        => Enumerable.Range(0, 589).Where(i => i * 270 >= from * Rate && (i * 270) + 991 <= to * Rate);

    [Fact]
    public void The_segmentation_stand_in_has_the_exports_signature_and_metadata()
    {
        using var model = Segmentation();

        Assert.Equal(160000, model.WindowSamples);
        Assert.Equal(SegmentationFrames.Pyannote, model.Frames);
        Assert.Equal(7, model.Powerset.Classes);
        Assert.Equal(589, model.Run(new float[160000], 1).Frames);
    }

    [Fact]
    public void One_voice_is_one_local_speaker_and_silence_is_nobody()
    {
        using var model = Segmentation();

        var frames = Decode(model, Voices(10, seed: 1, (4, 2, 6)));

        Assert.All(FramesWithin(2, 6), i => Assert.Equal([0], frames[i]));
        Assert.All(FramesWithin(0, 2).Concat(FramesWithin(6, 10)), i => Assert.Empty(frames[i]));
    }

    [Fact]
    public void Two_voices_at_once_are_an_overlap_of_two_local_speakers()
    {
        using var model = Segmentation();

        var frames = Decode(model, Voices(10, seed: 2, (1, 1, 5), (5, 4, 8)));

        Assert.All(FramesWithin(1, 4), i => Assert.Equal([0], frames[i]));
        Assert.All(FramesWithin(4, 5), i => Assert.Equal([0, 1], frames[i]));
        Assert.All(FramesWithin(5, 8), i => Assert.Equal([1], frames[i]));
    }

    [Fact]
    public void Local_slots_follow_the_voices_in_each_window_not_the_speaker()
    {
        using var model = Segmentation();

        // Speaker 3 is slot 0 when alone, slot 1 when speaker 0 is also in the window.
        var alone = Decode(model, Voices(10, seed: 3, (3, 2, 6)));
        var second = Decode(model, Voices(10, seed: 4, (0, 0.5, 1.5), (3, 2, 6)));

        Assert.All(FramesWithin(2, 6), i => Assert.Equal([0], alone[i]));
        Assert.All(FramesWithin(2, 6), i => Assert.Equal([1], second[i]));
    }

    [Fact]
    public void The_embedding_stand_in_has_the_exports_signature()
    {
        using var embedder = Embedder();

        Assert.Equal(256, embedder.Dimension);
        Assert.Equal(SpeakerEmbeddingRecipe.WeSpeaker, embedder.Recipe);
    }

    [Fact]
    public void One_voice_embeds_alike_wherever_it_is_heard_and_unlike_any_other()
    {
        using var embedder = Embedder();
        var clips = new[] { (0, 1), (0, 2), (1, 3), (2, 4), (3, 5), (4, 6), (5, 7), (5, 8) }
            .Select(c => (Speaker: c.Item1, Clip: (ReadOnlyMemory<float>)Voices(1 + (c.Item2 % 3), c.Item2, (c.Item1, 0, 10))))
            .ToArray();

        var embeddings = embedder.Embed(clips.Select(c => c.Clip).ToList());

        for (var a = 0; a < clips.Length; a++)
        {
            for (var b = a + 1; b < clips.Length; b++)
            {
                var distance = Muesli.Core.Speakers.AgglomerativeClustering.CosineDistance(embeddings[a], embeddings[b]);
                if (clips[a].Speaker == clips[b].Speaker)
                {
                    Assert.True(distance < 0.05, $"speaker {clips[a].Speaker}: clips {a} and {b} are {distance:0.000} apart");
                }
                else
                {
                    Assert.True(distance > 0.9, $"speakers {clips[a].Speaker} and {clips[b].Speaker} are only {distance:0.000} apart");
                }
            }
        }
    }

    [Fact]
    public void A_voice_embeds_along_its_own_direction()
    {
        using var embedder = Embedder();
        var directions = ToneEmbeddingModel.VoiceDirections();

        for (var speaker = 0; speaker < ToneLanguage.MaxSpeakers; speaker++)
        {
            var embedding = Assert.Single(embedder.Embed([Voices(2, speaker, (speaker, 0, 2))]));

            var nearest = Enumerable.Range(0, directions.Length)
                .MinBy(j => Muesli.Core.Speakers.AgglomerativeClustering.CosineDistance(embedding, directions[j].Select(x => (float)x).ToArray()));
            Assert.Equal(speaker, nearest);
        }
    }
}
