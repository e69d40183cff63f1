using Muesli.Core;

namespace Muesli.Audio;

/// <summary>
/// Converts a continuous stream of interleaved s16 audio of any rate (8–192 kHz) and 1–8 channels to 16 kHz mono
/// s16 with NAudio's WDL resampler, keeping filter state across calls. Channels are averaged. The output tracks
/// the input exactly: after N input frames, floor(N · 16000 / rate) samples have come out (the filter's delay is
/// compensated), so positions on the two clocks stay in step. 16 kHz mono input passes through unchanged.
/// </summary>
public sealed class StreamingResampler
{
    public StreamingResampler(AudioFormat source, int targetRate = 16000) => throw new NotImplementedException();

    public long InputFrames => throw new NotImplementedException();

    public long OutputSamples => throw new NotImplementedException();

    /// <summary>Converts whole frames of <paramref name="pcm"/>; appends the 16 kHz samples to <paramref name="output"/>.</summary>
    public void Process(ReadOnlySpan<byte> pcm, List<short> output) => throw new NotImplementedException();

    /// <summary>As <see cref="Process"/> for <paramref name="frames"/> frames of digital silence.</summary>
    public void ProcessSilence(long frames, List<short> output) => throw new NotImplementedException();
}
