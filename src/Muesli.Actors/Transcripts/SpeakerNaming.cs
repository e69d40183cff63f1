using Muesli.Core.Protocol;
using Muesli.Core.Transcripts;

namespace Muesli.Actors.Transcripts;

/// <summary>
/// Turns a window's local speaker labels into the ids the client sees: <c>{stream}:{speaker}</c>, or the stream's
/// own label (System / Microphone) when turns are labelled by stream.
/// </summary>
public static class SpeakerNaming
{
    /// <summary>The speaker a client sees for a window's local label.</summary>
    public static string Speaker(StreamKind stream, string localLabel, bool labelByStream)
        => labelByStream ? stream.Label() : localLabel;

    /// <summary>The id of a named speaker: <c>{stream}:{speaker}</c>, or the stream's label itself.</summary>
    public static string SpeakerId(StreamKind stream, string speaker, bool labelByStream)
        => labelByStream ? speaker : $"{stream.Name()}:{speaker}";

    public static IReadOnlyList<LabelledWord> Name(IReadOnlyList<LabelledWord> words, StreamKind stream, bool labelByStream)
        => words.Select(w => w with { Speaker = Speaker(stream, w.Speaker, labelByStream) }).ToArray();
}
