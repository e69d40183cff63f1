using Microsoft.ML.OnnxRuntime;
using Muesli.Core.Transcripts;
using Muesli.Inference.Features;

namespace Muesli.Inference.Asr.Tdt;

/// <summary>
/// Parakeet TDT speech recognition: NeMo log-mel → encoder → greedy TDT over decoder and joiner → SentencePiece words,
/// timed from encoder frames (a word ends after its last token's duration). Windows longer than
/// <see cref="NemoTdtOptions.MaxWindowSeconds"/> are transcribed in overlapping chunks (<see cref="LongAudioChunks"/>).
/// Not thread-safe (one engine per pipeline).
/// </summary>
public sealed class NemoTdtEngine : IAsrEngine
{
    public const string Family = "nemo-tdt";

    /// <summary>How far each chunk of a long window must reach past the previous one's overlap.</summary>
    public const double MinChunkStepSeconds = 1;

    private readonly NemoTdtModel model;
    private readonly TokenTable tokens;
    private readonly NemoTdtOptions options;
    private readonly NemoMelFrontEnd frontEnd;

    public NemoTdtEngine(string name, NemoTdtModel model, TokenTable tokens, NemoTdtOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(tokens);
        this.options = options ?? NemoTdtOptions.Default;
        Validate(this.options);
        Name = name;
        this.model = model;
        this.tokens = tokens;
        frontEnd = new NemoMelFrontEnd(model.Features, model.NormalizePerFeature);
    }

    public string Name { get; }

    /// <summary>
    /// Reads the tokens and opens the encoder, decoder and joiner with <paramref name="sessions"/> (roles "encoder",
    /// "decoder", "joiner"), then validates them together.
    /// </summary>
    public static NemoTdtEngine Load(
        string name,
        string encoderPath,
        string decoderPath,
        string joinerPath,
        string tokensPath,
        OnnxSessionFactory sessions,
        NemoTdtOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(sessions);
        Validate(options ?? NemoTdtOptions.Default);
        var tokens = TokenTable.Load(tokensPath);
        var opened = new List<InferenceSession>();
        try
        {
            opened.Add(sessions.Create(encoderPath, "encoder"));
            opened.Add(sessions.Create(decoderPath, "decoder"));
            opened.Add(sessions.Create(joinerPath, "joiner"));
        }
        catch
        {
            opened.ForEach(session => session.Dispose());
            throw;
        }

        var model = new NemoTdtModel(opened[0], encoderPath, opened[1], decoderPath, opened[2], joinerPath, tokens);
        return new NemoTdtEngine(name, model, tokens, options);
    }

    public IReadOnlyList<Word> Transcribe(ReadOnlySpan<float> samples16k)
    {
        var maxChunk = (int)Math.Round(options.MaxWindowSeconds * NemoMelFrontEnd.SampleRate);
        if (samples16k.Length <= maxChunk)
        {
            return TranscribeWindow(samples16k);
        }

        var overlap = (int)Math.Round(options.ChunkOverlapSeconds * NemoMelFrontEnd.SampleRate);
        var frameSamples = model.SubsamplingFactor * NemoMelFrontEnd.HopLength;
        var heard = new List<(AudioChunk, IReadOnlyList<Word>)>();
        foreach (var chunk in LongAudioChunks.Plan(samples16k.Length, maxChunk, overlap, frameSamples))
        {
            var offset = (double)chunk.Start / NemoMelFrontEnd.SampleRate;
            heard.Add((chunk, Offsets.Shift(TranscribeWindow(samples16k.Slice(chunk.Start, chunk.Length)), offset)));
        }

        return LongAudioChunks.Stitch(heard, NemoMelFrontEnd.SampleRate, StitchTolerance(options.ChunkOverlapSeconds));
    }

    public void Dispose() => model.Dispose();

    private IReadOnlyList<Word> TranscribeWindow(ReadOnlySpan<float> samples16k)
    {
        // Under one hop of audio the front end has no valid frame to encode.
        if (NemoMelFrontEnd.FrameCount(samples16k.Length) == 0)
        {
            return [];
        }

        var encoded = model.Encode(frontEnd.Compute(samples16k));
        using var joint = model.Start(encoded);
        var decoded = TdtGreedyDecoder.Decode(joint, model.Tokens, model.BlankId, model.Durations, options.MaxSymbolsPerFrame);
        return SentencePieceWords.Assemble(decoded, tokens, model.FrameSeconds);
    }

    // Chunks may time a word a frame apart; a quarter of the overlap keeps the settling well inside it.
    private static double StitchTolerance(double overlapSeconds) => Math.Min(0.5, overlapSeconds / 4);

    private static void Validate(NemoTdtOptions options)
    {
        if (options.ChunkOverlapSeconds < 0 || options.MaxWindowSeconds - options.ChunkOverlapSeconds < MinChunkStepSeconds)
        {
            throw new ArgumentException(
                $"a chunk must advance at least {MinChunkStepSeconds} s past its overlap, got a {options.MaxWindowSeconds} s window and a {options.ChunkOverlapSeconds} s overlap",
                nameof(options));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxSymbolsPerFrame, 1, nameof(options));
    }
}
