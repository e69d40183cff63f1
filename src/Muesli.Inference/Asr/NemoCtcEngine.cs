using Muesli.Core.Transcripts;
using Muesli.Inference.Features;

namespace Muesli.Inference.Asr;

/// <summary>
/// NeMo CTC speech recognition: NeMo log-mel → encoder → greedy CTC → SentencePiece words, timed from encoder
/// frames. Windows longer than one encoder pass (<see cref="LongAudioOptions.MaxChunkSeconds"/>, or less where the
/// model declares a shorter limit) are transcribed in overlapping chunks (<see cref="LongAudioChunks"/>). Not
/// thread-safe (one engine per pipeline).
/// </summary>
public sealed class NemoCtcEngine : IAsrEngine
{
    public const string Family = "nemo-ctc";

    private readonly NemoCtcModel model;
    private readonly TokenTable tokens;
    private readonly NemoMelFrontEnd frontEnd;

    public NemoCtcEngine(string name, NemoCtcModel model, TokenTable tokens, LongAudioOptions? longAudio = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(tokens);
        Name = name;
        this.model = model;
        this.tokens = tokens;
        frontEnd = new NemoMelFrontEnd(model.Features, model.NormalizePerFeature);
        Chunks = ChunkLayout.For(
            longAudio ?? LongAudioOptions.Default, NemoMelFrontEnd.SampleRate, model.SubsamplingFactor * NemoMelFrontEnd.HopLength, model.MaxEncoderFrames, model.Source);
    }

    public string Name { get; }

    /// <summary>How windows too long for one encoder pass are cut.</summary>
    public ChunkLayout Chunks { get; }

    /// <summary>Reads the tokens, opens the model with <paramref name="sessions"/> (role "model") and validates them together.</summary>
    public static NemoCtcEngine Load(string name, string modelPath, string tokensPath, OnnxSessionFactory sessions, LongAudioOptions? longAudio = null)
    {
        ArgumentNullException.ThrowIfNull(sessions);
        (longAudio ?? LongAudioOptions.Default).Validate();
        var tokens = TokenTable.Load(tokensPath);
        var model = new NemoCtcModel(sessions.Create(modelPath, "model"), modelPath, tokens);
        try
        {
            return new NemoCtcEngine(name, model, tokens, longAudio);
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

        var logProbs = model.Run(frontEnd.Compute(samples16k));
        var decoded = CtcGreedyDecoder.Decode(logProbs.Values, logProbs.Frames, logProbs.Classes, tokens.BlankId);
        return SentencePieceWords.Assemble(decoded, tokens, model.FrameSeconds);
    }
}
