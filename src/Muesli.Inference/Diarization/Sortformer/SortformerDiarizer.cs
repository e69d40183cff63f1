using Muesli.Core.Transcripts;
using Muesli.Inference.Features;
using Muesli.Inference.Models;

namespace Muesli.Inference.Diarization.Sortformer;

/// <summary>
/// Streaming Sortformer diarization of one window: un-normalised NeMo log-mel → chunks with left and right context →
/// the model with its FIFO and speaker cache (<see cref="SortformerStreamingState"/>) → per-frame activities of four
/// speaker slots → segments labelled SPEAKER_00 … SPEAKER_03. With an <see cref="ISpeakerEmbedder"/>, each speaker gets
/// one L2-normalised embedding of its clearest audio (<see cref="SpeakerClips"/>), so windows can be linked.
/// </summary>
/// <remarks>
/// The streaming procedure follows NVIDIA NeMo's <c>SortformerEncLabelModel.forward_streaming</c> (synchronous
/// update) and <c>SortformerModules</c> (<c>streaming_feat_loader</c>, <c>streaming_update</c>,
/// <c>_compress_spkcache</c>); the tensor names and the ONNX step are those of the export in altunenes/parakeet-rs
/// (<c>scripts/export_diar_sortformer.py</c>), whose runtime omits the chunk context and the newest-frame boost kept
/// here. Audio is not peak-normalised: NeMo skips that in streaming mode. Not thread-safe; the embedder is not owned.
/// </remarks>
public sealed class SortformerDiarizer : IDiarizationEngine
{
    public const string Family = "sortformer";
    public const string ModelRole = "model";

    // One 25 ms analysis window: an embedder sees nothing in less.
    private const int MinimumEmbeddingSamples = 400;

    private readonly SortformerModel model;
    private readonly ISpeakerEmbedder? embedder;
    private readonly NemoMelFrontEnd frontEnd;

    /// <summary>Takes ownership of <paramref name="model"/>, not of <paramref name="embedder"/>.</summary>
    public SortformerDiarizer(string name, SortformerModel model, ISpeakerEmbedder? embedder = null, SortformerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        Name = name;
        this.model = model;
        this.embedder = embedder;
        Options = options ?? SortformerOptions.Default;
        Options.PostProcessing.Validate();
        if (!(Options.EmbeddingSeconds > 0 && double.IsFinite(Options.EmbeddingSeconds)))
        {
            throw new ArgumentOutOfRangeException(nameof(options), Options.EmbeddingSeconds, "EmbeddingSeconds must be a positive number of seconds");
        }

        Layout = SortformerLayout.Resolve(Options.Streaming, model);
        frontEnd = new NemoMelFrontEnd(model.Features, normalize: false);
    }

    public string Name { get; }

    public SortformerOptions Options { get; }

    /// <summary>The streaming layout in use: the options, else the model's metadata, else the defaults.</summary>
    public SortformerLayout Layout { get; }

    /// <summary>Seconds per activity frame (80 ms).</summary>
    public static double FrameSeconds => SortformerModel.FrameSeconds;

    /// <summary>Opens an installed <c>sortformer</c> model (role "model"); its id becomes <see cref="Name"/>.</summary>
    public static SortformerDiarizer Load(InstalledModel model, OnnxSessionFactory sessions, ISpeakerEmbedder? embedder, SortformerOptions? options)
    {
        ModelFamilies.Require(model, Family);
        return Load(model.Entry.Id, model.PathOf(ModelRole), sessions, embedder, options);
    }

    /// <summary>Opens the model at <paramref name="modelPath"/> with <paramref name="sessions"/> (role "model").</summary>
    public static SortformerDiarizer Load(
        string name, string modelPath, OnnxSessionFactory sessions, ISpeakerEmbedder? embedder = null, SortformerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(sessions);
        var model = new SortformerModel(sessions.Create(modelPath, ModelRole), modelPath);
        try
        {
            return new SortformerDiarizer(name, model, embedder, options);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>Activities of 16 kHz mono audio: ceil(feature frames / 8) frames.</summary>
    public SpeakerActivity Activities(ReadOnlySpan<float> samples16k) => samples16k.IsEmpty
        ? new SpeakerActivity([], 0, model.Speakers, FrameSeconds)
        : Stream(samples16k, null, NemoMelFrontEnd.FrameCount(samples16k.Length));

    /// <summary>Activities of features already made (time-major, un-normalised log-mel of the model's width).</summary>
    public SpeakerActivity Activities(TimeMajorFeatures features)
    {
        ArgumentNullException.ThrowIfNull(features);
        if (features.Features != model.Features)
        {
            throw new ArgumentException($"{model.Source}: takes {model.Features} features, got {features.Features}", nameof(features));
        }

        return Stream([], features, features.Frames);
    }

    public DiarizationResult Diarize(ReadOnlySpan<float> samples16k)
    {
        if (samples16k.IsEmpty)
        {
            return DiarizationResult.Empty;
        }

        var activity = Activities(samples16k);
        var segments = SpeakerActivitySegmentation.Segments(
            activity, Options.PostProcessing, samples16k.Length / (double)NemoMelFrontEnd.SampleRate);
        return new DiarizationResult(segments, Embed(samples16k, segments));
    }

    public void Dispose() => model.Dispose();

    private SpeakerActivity Stream(ReadOnlySpan<float> samples, TimeMajorFeatures? features, int featureFrames)
    {
        var speakers = model.Speakers;
        var width = model.Features;
        var outputFrames = SortformerChunks.OutputFrames(featureFrames);
        var values = new float[outputFrames * speakers];
        var chunks = SortformerChunks.Plan(featureFrames, Layout);
        var buffer = new float[chunks.Select(c => c.InputFrames).DefaultIfEmpty(0).Max() * width];
        var state = new SortformerStreamingState(Layout, model.EmbeddingSize, speakers);
        var written = 0;
        foreach (var chunk in chunks)
        {
            var input = buffer.AsMemory(0, chunk.InputFrames * width);
            if (features is not null)
            {
                features.Data.AsSpan(chunk.InputStart * width, input.Length).CopyTo(input.Span);
            }
            else
            {
                MelFeatureSlices.Read(frontEnd, samples, chunk.InputStart, chunk.InputEnd, input.Span);
            }

            var run = model.Run(input, chunk.InputFrames, state.Cache, state.CacheFrames, state.Fifo, state.FifoFrames);
            var expected = SortformerChunks.OutputFrames(chunk.InputFrames);
            if (run.ChunkEmbeddingFrames != expected)
            {
                throw new InvalidDataException(
                    $"{model.Source}: output '{SortformerModel.EmbeddingsOutput}' has {run.ChunkEmbeddingFrames} frames for {chunk.InputFrames} "
                    + $"feature frames, expected {expected} (one per {SortformerModel.SubsamplingFactor})");
            }

            written += state.Update(
                run.Predictions,
                run.ChunkEmbeddings,
                run.ChunkEmbeddingFrames,
                chunk.LeftEncoderFrames,
                chunk.RightEncoderFrames,
                values.AsSpan(written * speakers));
        }

        return new SpeakerActivity(values, outputFrames, speakers, FrameSeconds);
    }

    private Dictionary<string, float[]> Embed(ReadOnlySpan<float> samples, IReadOnlyList<SpeakerSegment> segments)
    {
        var embeddings = new Dictionary<string, float[]>();
        if (embedder is null)
        {
            return embeddings;
        }

        var speakers = new List<string>();
        var clips = new List<ReadOnlyMemory<float>>();
        foreach (var speaker in segments.Select(s => s.Speaker).Distinct().Order(StringComparer.Ordinal))
        {
            var audio = Gather(samples, SpeakerClips.Choose(segments, speaker, Options.EmbeddingSeconds));
            if (audio.Length >= MinimumEmbeddingSamples)
            {
                speakers.Add(speaker);
                clips.Add(audio);
            }
        }

        if (clips.Count == 0)
        {
            return embeddings;
        }

        var vectors = embedder.Embed(clips);
        if (vectors.Count != clips.Count)
        {
            throw new InvalidOperationException($"speaker embedder '{embedder.Name}' returned {vectors.Count} embeddings for {clips.Count} clips");
        }

        for (var i = 0; i < speakers.Count; i++)
        {
            embeddings[speakers[i]] = Normalized(vectors[i]);
        }

        return embeddings;
    }

    private static float[] Gather(ReadOnlySpan<float> samples, IReadOnlyList<(double Start, double End)> ranges)
    {
        var length = samples.Length;
        int ToSample(double seconds) => Math.Clamp((int)Math.Round(seconds * NemoMelFrontEnd.SampleRate), 0, length);
        var bounds = ranges.Select(r => (Start: ToSample(r.Start), End: ToSample(r.End))).Where(r => r.End > r.Start).ToList();
        return ClipAudio.Join(samples, bounds);
    }

    private static float[] Normalized(float[] vector)
    {
        var norm = MathF.Sqrt(vector.Sum(v => v * v));
        return norm > 0 ? vector.Select(v => v / norm).ToArray() : [.. vector];
    }
}
