using System.Buffers.Binary;
using Muesli.Core;

namespace Muesli.Audio;

/// <summary>
/// Converts a continuous stream of interleaved s16 audio of any rate (8–192 kHz) and 1–8 channels to 16 kHz mono
/// s16 with NAudio's WDL resampler, keeping filter state across calls. Channels are averaged. The output tracks
/// the input exactly: after N input frames, floor(N · 16000 / rate) samples have come out (the filter's delay is
/// compensated), so positions on the two clocks stay in step. 16 kHz mono input passes through unchanged (s16 values
/// survive the float path exactly).
/// <para>
/// The compensation: the output is the aligned resampled signal delayed by a constant <see cref="DelaySamples"/>
/// (a few milliseconds; that many zeros come first), which is what lets every owed sample be computed without
/// waiting for future input. The output does not depend on how the input is chunked.
/// </para>
/// </summary>
public sealed class StreamingResampler
{
    public const int MaxChannels = 8;

    private readonly MonoResampler mono;
    private readonly List<float> resampled = [];
    private float[] downmixed = [];

    public StreamingResampler(AudioFormat source, int targetRate = 16000)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(source.SampleRate, 1000, nameof(source));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(source.SampleRate, 384000, nameof(source));
        ArgumentOutOfRangeException.ThrowIfLessThan(source.Channels, 1, nameof(source));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(source.Channels, MaxChannels, nameof(source));
        Source = source;
        TargetRate = targetRate;
        mono = new MonoResampler(source.SampleRate, targetRate);
    }

    public AudioFormat Source { get; }

    public int TargetRate { get; }

    /// <summary>Output samples by which the content lags behind its input position (0 when rates are equal).</summary>
    public int DelaySamples => mono.DelaySamples;

    public long InputFrames => mono.InputSamples;

    public long OutputSamples => mono.OutputSamples;

    /// <summary>Converts whole frames of <paramref name="pcm"/>; appends the 16 kHz samples to <paramref name="output"/>.</summary>
    /// <remarks>A trailing partial frame is ignored: callers hand over frames cut by the aligner.</remarks>
    public void Process(ReadOnlySpan<byte> pcm, List<short> output)
    {
        var frames = pcm.Length / Source.BytesPerFrame;
        if (downmixed.Length < frames)
        {
            downmixed = new float[frames];
        }

        var channels = Source.Channels;
        for (var frame = 0; frame < frames; frame++)
        {
            var sum = 0;
            var offset = frame * Source.BytesPerFrame;
            for (var channel = 0; channel < channels; channel++)
            {
                sum += BinaryPrimitives.ReadInt16LittleEndian(pcm[(offset + (2 * channel))..]);
            }

            downmixed[frame] = (float)sum / channels;
        }

        mono.Process(downmixed.AsSpan(0, frames), resampled);
        Drain(output);
    }

    /// <summary>As <see cref="Process"/> for <paramref name="frames"/> frames of digital silence.</summary>
    public void ProcessSilence(long frames, List<short> output)
    {
        mono.ProcessSilence(frames, resampled);
        Drain(output);
    }

    private void Drain(List<short> output)
    {
        output.EnsureCapacity(output.Count + resampled.Count);
        foreach (var sample in resampled)
        {
            output.Add((short)Math.Clamp(MathF.Round(sample), short.MinValue, short.MaxValue));
        }

        resampled.Clear();
    }
}
