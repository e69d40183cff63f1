using Muesli.Core.Transcripts;
using Muesli.Inference.Features;

namespace Muesli.Inference.Asr;

/// <summary>
/// NeMo CTC speech recognition: NeMo log-mel → encoder → greedy CTC → SentencePiece words, timed from encoder
/// frames. Not thread-safe (one engine per pipeline).
/// </summary>
public sealed class NemoCtcEngine : IAsrEngine
{
    public const string Family = "nemo-ctc";

    private readonly NemoCtcModel model;
    private readonly TokenTable tokens;
    private readonly NemoMelFrontEnd frontEnd;

    public NemoCtcEngine(string name, NemoCtcModel model, TokenTable tokens)
    {
        Name = name;
        this.model = model;
        this.tokens = tokens;
        frontEnd = new NemoMelFrontEnd(model.Features, model.NormalizePerFeature);
    }

    public string Name { get; }

    /// <summary>Reads the tokens, opens the model with <paramref name="sessions"/> (role "model") and validates them together.</summary>
    public static NemoCtcEngine Load(string name, string modelPath, string tokensPath, OnnxSessionFactory sessions)
    {
        var tokens = TokenTable.Load(tokensPath);
        var model = new NemoCtcModel(sessions.Create(modelPath, "model"), modelPath, tokens);
        return new NemoCtcEngine(name, model, tokens);
    }

    public IReadOnlyList<Word> Transcribe(ReadOnlySpan<float> samples16k)
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

    public void Dispose() => model.Dispose();
}
