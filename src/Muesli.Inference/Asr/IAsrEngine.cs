using Muesli.Core.Transcripts;

namespace Muesli.Inference.Asr;

/// <summary>Speech to words. Times are seconds from the start of the samples given.</summary>
public interface IAsrEngine : IDisposable
{
    /// <summary>The model's id, as <c>models.json</c> names it.</summary>
    string Name { get; }

    IReadOnlyList<Word> Transcribe(ReadOnlySpan<float> samples16k);
}
