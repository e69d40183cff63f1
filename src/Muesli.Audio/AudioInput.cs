using System.Runtime.InteropServices;
using Muesli.Audio.Decoders;
using Muesli.Core;

namespace Muesli.Audio;

/// <summary>
/// An open audio file read in order as 16 kHz mono floats in [-1, 1], a block at a time, so a long file streams through
/// in bounded memory. Channels are averaged and the rate converted with the streaming resampler; the resampler's
/// constant delay is removed and its tail flushed with silence at the end, so the pieces add up to exactly
/// floor(frames · 16000 / rate) samples, the same as <see cref="AudioFile.Read16kMono"/>. Made by <see cref="AudioFile.Open"/>.
/// </summary>
public sealed class AudioInput : IDisposable
{
    private const int FramesPerDecode = 4096;

    private readonly string path;
    private readonly IAudioDecoder decoder;
    private readonly MonoResampler resampler;
    private readonly float[] mono = new float[FramesPerDecode];
    private readonly List<float> pending = [];
    private int pendingStart;
    private int delayLeft;
    private long framesRead;
    private long queued;
    private bool finished;
    private bool disposed;

    internal AudioInput(string path, IAudioDecoder decoder)
    {
        this.path = path;
        this.decoder = decoder;
        resampler = new MonoResampler(decoder.SampleRate, TargetRate);
        delayLeft = resampler.DelaySamples;
    }

    /// <summary>The rate of the samples <see cref="Read"/> returns.</summary>
    public static int TargetRate => AudioFormat.Asr.SampleRate;

    /// <summary>What the file holds, for a person: "WAV PCM 24-bit, 44100 Hz, 2 ch", "MP3 128 kb/s, 44100 Hz, 2 ch".</summary>
    public string Description => decoder.Description;

    /// <summary>The file's own sample rate.</summary>
    public int SampleRate => decoder.SampleRate;

    /// <summary>The file's own channel count (before they are averaged).</summary>
    public int Channels => decoder.Channels;

    /// <summary>The length of the audio: from the header where it says, else estimated from the file's size.</summary>
    public double? DurationSeconds => decoder.DurationSeconds;

    /// <summary>Seconds of the file decoded so far, for progress (runs slightly ahead of what <see cref="Read"/> returned).</summary>
    public double SecondsRead => (double)framesRead / SampleRate;

    /// <summary>
    /// Fills <paramref name="destination"/> with the next 16 kHz mono samples and returns how many; fewer only at the
    /// end of the file, 0 once everything was returned.
    /// </summary>
    /// <exception cref="AudioFileException">The file cannot be read any further.</exception>
    public int Read(Span<float> destination)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        var written = 0;
        while (written < destination.Length)
        {
            var available = pending.Count - pendingStart;
            if (available == 0)
            {
                if (finished)
                {
                    break;
                }

                Refill();
                continue;
            }

            var take = Math.Min(available, destination.Length - written);
            CollectionsMarshal.AsSpan(pending).Slice(pendingStart, take).CopyTo(destination[written..]);
            pendingStart += take;
            written += take;
        }

        return written;
    }

    public void Dispose()
    {
        if (!disposed)
        {
            disposed = true;
            decoder.Dispose();
        }
    }

    private void Refill()
    {
        pending.Clear();
        pendingStart = 0;
        var frames = Decode();
        if (frames > 0)
        {
            framesRead += frames;
            resampler.Process(mono.AsSpan(0, frames), pending);
        }
        else
        {
            // The whole input is known: enough silence that the last owed sample, delayed, comes out of the filter.
            var tail = (long)Math.Ceiling((resampler.DelaySamples + 2.0) * SampleRate / TargetRate);
            resampler.ProcessSilence(tail, pending);
            finished = true;
        }

        var skip = Math.Min(delayLeft, pending.Count);
        delayLeft -= skip;
        pendingStart = skip;
        if (finished)
        {
            var owed = framesRead * TargetRate / SampleRate;
            var keep = (int)Math.Min(pending.Count - pendingStart, owed - queued);
            pending.RemoveRange(pendingStart + keep, pending.Count - pendingStart - keep);
        }

        queued += pending.Count - pendingStart;
    }

    private int Decode()
    {
        try
        {
            return decoder.ReadMono(mono);
        }
        catch (IOException e)
        {
            throw AudioProblems.Unreadable(path, $"reading stopped after {SecondsRead:F1} s: {e.Message}", e);
        }
    }
}
