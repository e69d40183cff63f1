using Microsoft.ML.OnnxRuntime;
using Muesli.Core.Transcripts;
using Muesli.Inference.Features;

namespace Muesli.Inference.Asr.Tdt;

/// <summary>
/// Parakeet TDT speech recognition: NeMo log-mel → encoder → greedy TDT over decoder and joiner → SentencePiece words,
/// timed from encoder frames (a word ends after its last token's duration). Windows longer than one encoder pass
/// (<see cref="NemoTdtOptions.LongAudio"/>, or less where the model declares a shorter limit) are transcribed in
/// overlapping chunks (<see cref="LongAudioChunks"/>). Not thread-safe (one engine per pipeline).
/// </summary>
public sealed class NemoTdtEngine : IAsrEngine
{
    public const string Family = "nemo-tdt";

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
        Chunks = ChunkLayout.For(
            this.options.LongAudio, NemoMelFrontEnd.SampleRate, model.SubsamplingFactor * NemoMelFrontEnd.HopLength, model.MaxEncoderFrames, model.EncoderSource);
    }

    public string Name { get; }

    /// <summary>How windows too long for one encoder pass are cut.</summary>
    public ChunkLayout Chunks { get; }

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
        try
        {
            return new NemoTdtEngine(name, model, tokens, options);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    public IReadOnlyList<Word> Transcribe(ReadOnlySpan<float> samples16k) => LongAudioChunks.Transcribe(samples16k, Chunks, TranscribeWindow);

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

    private static void Validate(NemoTdtOptions options)
    {
        options.LongAudio.Validate();
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxSymbolsPerFrame, 1, nameof(options));
    }
}
