using Muesli.Inference.Features;

namespace Muesli.Inference.Asr.Whisper;

/// <summary>One window to decode: its first sample and how many samples of the input it holds (at most 30 s).</summary>
public readonly record struct WhisperWindow(int FirstSample, int Samples)
{
    /// <summary>Where the window starts on the input's clock.</summary>
    public double Start => (double)FirstSample / WhisperMelFrontEnd.SampleRate;

    public double Seconds => (double)Samples / WhisperMelFrontEnd.SampleRate;
}

/// <summary>
/// Whisper's sequential long-form loop, over any input length: decode a 30 s window at the seek position; when its
/// output ends inside an unfinished segment, the next window starts at the end of the last complete segment (so a
/// sentence cut by the window's edge is heard again whole), else right after the window. Every segment is moved onto
/// the input's clock. Pure apart from the decoding it drives.
/// </summary>
public static class WhisperWindows
{
    public const int WindowFrames = WhisperMelFrontEnd.ChunkFrames;

    public const int WindowSamples = WindowFrames * WhisperMelFrontEnd.HopLength;

    // Mel frames per timestamp step: 0.02 s over the 10 ms hop.
    private const int FramesPerTimestamp = 2;

    /// <param name="samples">The input's length in 16 kHz samples.</param>
    /// <param name="decode">The sampled tokens of a window, or null when the window holds no speech.</param>
    /// <returns>Segments with seconds from the input's start, in order.</returns>
    public static IReadOnlyList<WhisperSegment> Transcribe(
        int samples, WhisperVocabulary vocabulary, Func<WhisperWindow, IReadOnlyList<int>?> decode)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(samples);
        ArgumentNullException.ThrowIfNull(decode);
        var frames = WhisperMelFrontEnd.FrameCount(samples);
        var segments = new List<WhisperSegment>();
        var seek = 0;
        while (seek < frames)
        {
            var firstSample = seek * WhisperMelFrontEnd.HopLength;
            var window = new WhisperWindow(firstSample, Math.Min(WindowSamples, samples - firstSample));
            var windowFrames = Math.Min(WindowFrames, frames - seek);
            var tokens = decode(window);
            if (tokens is null)
            {
                seek += windowFrames;
                continue;
            }

            var transcript = WhisperSegments.Split(tokens, vocabulary, window.Seconds);
            segments.AddRange(transcript.Segments.Select(s => s with { Start = s.Start + window.Start, End = s.End + window.Start }));
            seek += transcript.ResumeTimestamp is { } resume
                ? Math.Min(resume * FramesPerTimestamp, windowFrames)
                : windowFrames;
        }

        return segments;
    }
}
