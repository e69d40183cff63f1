using Muesli.Core.Transcripts;

namespace Muesli.Inference.Asr;

/// <summary>
/// A piece of a long window: samples [Start, Start + Length), owning the words that start in [KeepFrom, KeepUntil)
/// samples of the whole window.
/// </summary>
public sealed record AudioChunk(int Start, int Length, int KeepFrom, int KeepUntil)
{
    public int End => Start + Length;
}

/// <summary>An engine's transcription of audio short enough for one encoder pass; times from the audio's start.</summary>
public delegate IReadOnlyList<Word> SinglePass(ReadOnlySpan<float> samples16k);

/// <summary>
/// How an engine cuts audio for its encoder, in samples: chunks of at most <paramref name="MaxChunk"/>, overlapping by
/// <paramref name="Overlap"/>, starting on multiples of <paramref name="Alignment"/> (the encoder's frame).
/// </summary>
public sealed record ChunkLayout(int MaxChunk, int Overlap, int Alignment, int SampleRate)
{
    /// <summary>
    /// The layout for an encoder of <paramref name="frameSamples"/> samples a frame: chunks of
    /// <see cref="LongAudioOptions.MaxChunkSeconds"/>, shortened to <paramref name="maxEncoderFrames"/> − 1 frames when
    /// the model declares a limit (a frame is kept spare for the encoder's rounding).
    /// </summary>
    /// <param name="source">The model, as an error names it when its limit leaves no room for the overlap.</param>
    public static ChunkLayout For(LongAudioOptions options, int sampleRate, int frameSamples, int? maxEncoderFrames, string source)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        ArgumentOutOfRangeException.ThrowIfLessThan(sampleRate, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(frameSamples, 1);
        var maxChunk = (long)Math.Round(options.MaxChunkSeconds * sampleRate);
        var overlap = (int)Math.Round(options.OverlapSeconds * sampleRate);
        if (maxEncoderFrames is { } frames)
        {
            var allowed = (long)(frames - 1) * frameSamples;
            if (allowed - overlap < LongAudioOptions.MinChunkStepSeconds * sampleRate)
            {
                throw new InvalidDataException(
                    $"{source}: takes at most {frames} encoder frames ({(double)allowed / sampleRate:0.##} s of audio) a pass, too few for chunks that overlap by {options.OverlapSeconds} s");
            }

            maxChunk = Math.Min(maxChunk, allowed);
        }

        return new ChunkLayout((int)Math.Min(maxChunk, int.MaxValue), overlap, frameSamples, sampleRate);
    }

    public double MaxChunkSeconds => (double)MaxChunk / SampleRate;
}

/// <summary>
/// Transcribing audio longer than one encoder pass. <see cref="Plan"/> splits it into chunks of at most
/// <c>maxChunk</c> samples that overlap by at least <c>overlap</c> and start on the encoder's frame grid, so two
/// chunks time a word on the same frames; each overlap is cut at its middle, where both chunks have heard at least
/// half the overlap around it. <see cref="Stitch"/> keeps each chunk's words that start on its side of the cuts, and
/// settles the words right at a cut, which the two chunks may place on different sides of it: a word that both kept
/// is kept once (from the earlier chunk), and a word that both dropped is taken from the later one. Pure.
/// </summary>
public static class LongAudioChunks
{
    /// <summary>
    /// <paramref name="samples16k"/> in one pass when it fits <paramref name="layout"/>, else each planned chunk in its
    /// own pass, shifted to the audio's clock and stitched.
    /// </summary>
    public static IReadOnlyList<Word> Transcribe(ReadOnlySpan<float> samples16k, ChunkLayout layout, SinglePass transcribe)
    {
        ArgumentNullException.ThrowIfNull(layout);
        ArgumentNullException.ThrowIfNull(transcribe);
        if (samples16k.Length <= layout.MaxChunk)
        {
            return transcribe(samples16k);
        }

        var heard = new List<(AudioChunk, IReadOnlyList<Word>)>();
        foreach (var chunk in Plan(samples16k.Length, layout.MaxChunk, layout.Overlap, layout.Alignment))
        {
            var offset = (double)chunk.Start / layout.SampleRate;
            heard.Add((chunk, Offsets.Shift(transcribe(samples16k.Slice(chunk.Start, chunk.Length)), offset)));
        }

        return Stitch(heard, layout.SampleRate, StitchTolerance((double)layout.Overlap / layout.SampleRate));
    }

    /// <param name="alignment">Every chunk starts at a multiple of this many samples (the encoder's frame).</param>
    public static IReadOnlyList<AudioChunk> Plan(int samples, int maxChunk, int overlap, int alignment = 1)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(samples);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxChunk, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(overlap);
        ArgumentOutOfRangeException.ThrowIfLessThan(alignment, 1);
        var step = (maxChunk - overlap) / alignment * alignment;
        if (step < 1)
        {
            throw new ArgumentOutOfRangeException(
                nameof(overlap), overlap, $"a chunk of {maxChunk} samples less the overlap must leave at least one step of {alignment} samples");
        }

        var starts = new List<int> { 0 };
        while (starts[^1] + maxChunk < samples)
        {
            // The last chunk ends with the audio: it starts at the first aligned sample that lets it.
            var lastStart = (samples - maxChunk + alignment - 1) / alignment * alignment;
            starts.Add(Math.Min(starts[^1] + step, lastStart));
        }

        var chunks = new AudioChunk[starts.Count];
        for (var i = 0; i < starts.Count; i++)
        {
            var end = Math.Min(starts[i] + maxChunk, samples);
            var keepFrom = i == 0 ? 0 : Cut(starts[i - 1], starts[i], maxChunk);
            var keepUntil = i == starts.Count - 1 ? int.MaxValue : Cut(starts[i], starts[i + 1], maxChunk);
            chunks[i] = new AudioChunk(starts[i], end - starts[i], keepFrom, keepUntil);
        }

        return chunks;
    }

    /// <summary>
    /// The window's words from each chunk's words (already on the window's clock), in chunk order. A chunk's word is
    /// kept when it starts in [KeepFrom − tolerance, KeepUntil) and, within <paramref name="tolerance"/> of KeepFrom,
    /// is not the same word as one kept before it (overlapping it by half the shorter of the two).
    /// </summary>
    public static IReadOnlyList<Word> Stitch(
        IReadOnlyList<(AudioChunk Chunk, IReadOnlyList<Word> Words)> heard, int sampleRate, double tolerance)
    {
        ArgumentNullException.ThrowIfNull(heard);
        ArgumentOutOfRangeException.ThrowIfLessThan(sampleRate, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(tolerance);
        var kept = new List<Word>();
        foreach (var (chunk, words) in heard)
        {
            var from = (double)chunk.KeepFrom / sampleRate;
            var until = chunk.KeepUntil == int.MaxValue ? double.PositiveInfinity : (double)chunk.KeepUntil / sampleRate;
            var nearCut = kept.Where(k => k.Start >= from - (2 * tolerance)).ToList();
            foreach (var word in words)
            {
                if (word.Start < from - tolerance || word.Start >= until)
                {
                    continue;
                }

                if (word.Start < from + tolerance && nearCut.Any(k => SameWord(k, word)))
                {
                    continue;
                }

                kept.Add(word);
            }
        }

        return kept.OrderBy(w => w.Start).ToList();
    }

    // Chunks may time a word a frame apart; a quarter of the overlap keeps the settling well inside it.
    private static double StitchTolerance(double overlapSeconds) => Math.Min(0.5, overlapSeconds / 4);

    private static bool SameWord(Word a, Word b)
        => Math.Min(a.End, b.End) - Math.Max(a.Start, b.Start) >= 0.5 * Math.Min(a.End - a.Start, b.End - b.Start);

    // The middle of the overlap between a chunk starting at `earlier` and the next one starting at `later`.
    private static int Cut(int earlier, int later, int maxChunk) => later + ((earlier + maxChunk - later) / 2);
}
