using Muesli.Core;

namespace Muesli.TestWorld;

/// <summary>
/// Synthesises a meeting's audio straight at the asked rate: white noise, each turn's voice tone and each word's
/// tone with raised-cosine ramps, phase taken from the meeting clock so every rate carries the same tones. Tones at
/// or above 0.45 × rate are left out, as an anti-aliased recording at that rate would lose them. Silent stretches
/// replace all of that with their own noise or with zeros.
/// </summary>
internal static class ToneSynthesis
{
    public const int MinRate = 8000;
    public const int MaxRate = 48000;

    private const int BlockFrames = 1 << 16;

    public static short[] Render(ToneMeeting meeting, string stream, AudioFormat format)
    {
        var samples = new short[FrameCount(meeting, format) * format.Channels];
        var written = 0;
        RenderBlocks(meeting, stream, format, block =>
        {
            block.CopyTo(samples.AsSpan(written));
            written += block.Length;
        });
        return samples;
    }

    public static long FrameCount(ToneMeeting meeting, AudioFormat format)
        => (long)Math.Round(meeting.Duration * format.SampleRate);

    /// <summary>Hands out the interleaved s16 samples block by block, so an hour never sits in memory as doubles.</summary>
    public static void RenderBlocks(ToneMeeting meeting, string stream, AudioFormat format, Action<ReadOnlySpan<short>> block)
    {
        Validate(format);
        var rate = format.SampleRate;
        var tones = TonesOf(meeting, stream, rate);
        var silences = meeting.Silences.Select(s => new Silence(s.T0, s.T1, NoiseHalfWidth(s.NoiseLevel, rate), rate)).ToArray();
        var noise = SeededRandom.For(meeting.Spec.Seed, "noise:" + stream);
        var silenceNoise = SeededRandom.For(meeting.Spec.Seed, "silence:" + stream);
        var noiseHalfWidth = NoiseHalfWidth(meeting.Spec.NoiseLevel, rate);
        var frames = FrameCount(meeting, format);
        var signal = new double[BlockFrames];
        var pcm = new short[BlockFrames * format.Channels];
        var firstOpen = 0;
        var firstSilence = 0;
        for (long start = 0; start < frames; start += BlockFrames)
        {
            var length = (int)Math.Min(BlockFrames, frames - start);
            var span = signal.AsSpan(0, length);
            for (var i = 0; i < span.Length; i++)
            {
                span[i] = noiseHalfWidth == 0 ? 0 : noiseHalfWidth * (2 * noise.NextDouble() - 1);
            }

            while (firstOpen < tones.Length && tones[firstOpen].EndSample <= start)
            {
                firstOpen++;
            }

            for (var t = firstOpen; t < tones.Length && tones[t].StartSample < start + length; t++)
            {
                tones[t].AddTo(span, start);
            }

            while (firstSilence < silences.Length && silences[firstSilence].EndSample <= start)
            {
                firstSilence++;
            }

            for (var q = firstSilence; q < silences.Length && silences[q].StartSample < start + length; q++)
            {
                silences[q].Replace(span, start, silenceNoise);
            }

            var output = pcm.AsSpan(0, length * format.Channels);
            Quantise(span, output, format.Channels);
            block(output);
        }
    }

    /// <summary>Uniform noise of this half-width has the given RMS at 16 kHz; scaled with the rate to keep its density per Hz.</summary>
    private static double NoiseHalfWidth(double rms, int rate) => rms * Math.Sqrt(3.0 * rate / AudioFormat.Asr.SampleRate);

    private static void Quantise(ReadOnlySpan<double> signal, Span<short> output, int channels)
    {
        for (var i = 0; i < signal.Length; i++)
        {
            var value = (short)Math.Clamp(Math.Round(signal[i] * short.MaxValue), short.MinValue, short.MaxValue);
            for (var c = 0; c < channels; c++)
            {
                output[i * channels + c] = value;
            }
        }
    }

    public static void Validate(AudioFormat format)
    {
        if (format.SampleRate is < MinRate or > MaxRate)
        {
            throw new ArgumentException($"sample rate must be {MinRate}–{MaxRate} Hz, got {format.SampleRate}");
        }

        if (format.Channels is < 1 or > 2)
        {
            throw new ArgumentException($"channels must be 1 or 2, got {format.Channels}");
        }
    }

    private static Tone[] TonesOf(ToneMeeting meeting, string stream, int rate)
    {
        var voices = meeting.TurnsOf(stream).Select(turn => new Tone(
            ToneLanguage.VoiceFrequency(SpeakerNumber(turn.Speaker)), ToneLanguage.VoiceAmplitude, turn.T0, turn.T1, rate));
        var words = meeting.WordsOf(stream).Select(word => new Tone(
            ToneLanguage.WordFrequency(WordNumber(word.Text)), ToneLanguage.WordAmplitude, word.T0, word.T1, rate));
        return voices.Concat(words)
            .Where(tone => tone.Frequency < 0.45 * rate)
            .OrderBy(tone => tone.StartSample)
            .ToArray();
    }

    private static int WordNumber(string text)
    {
        var k = ToneLanguage.IndexOf(text);
        return k >= 0 ? k : throw new ArgumentException($"'{text}' is not a word of the tone language");
    }

    private static int SpeakerNumber(string label)
    {
        const string prefix = "SPEAKER_";
        return label.StartsWith(prefix, StringComparison.Ordinal)
            && int.TryParse(label.AsSpan(prefix.Length), out var n)
            && n is >= 0 and < ToneLanguage.MaxSpeakers
            ? n
            : throw new ArgumentException($"'{label}' is not a tone-world speaker (SPEAKER_00–SPEAKER_05)");
    }

    /// <summary>A silent stretch: samples [StartSample, EndSample) hold only its own noise, or digital zero.</summary>
    private readonly record struct Silence(double T0, double T1, double NoiseHalfWidth, int Rate)
    {
        public long StartSample => (long)Math.Ceiling(T0 * Rate);

        public long EndSample => (long)Math.Ceiling(T1 * Rate);

        public void Replace(Span<double> block, long blockStart, SeededRandom noise)
        {
            var from = Math.Max(StartSample, blockStart);
            var to = Math.Min(EndSample, blockStart + block.Length);
            for (var n = from; n < to; n++)
            {
                block[(int)(n - blockStart)] = NoiseHalfWidth == 0 ? 0 : NoiseHalfWidth * (2 * noise.NextDouble() - 1);
            }
        }
    }

    /// <summary>One tone burst: samples [StartSample, EndSample) of the meeting at a given rate.</summary>
    private readonly record struct Tone(double Frequency, double Amplitude, double T0, double T1, int Rate)
    {
        public long StartSample => (long)Math.Ceiling(T0 * Rate);

        public long EndSample => (long)Math.Ceiling(T1 * Rate);

        public void AddTo(Span<double> block, long blockStart)
        {
            var from = Math.Max(StartSample, blockStart);
            var to = Math.Min(EndSample, blockStart + block.Length);
            var omega = 2 * Math.PI * Frequency;
            for (var n = from; n < to; n++)
            {
                var t = (double)n / Rate;
                block[(int)(n - blockStart)] += Amplitude * Envelope(t) * Math.Sin(omega * t);
            }
        }

        private double Envelope(double t)
        {
            var edge = Math.Min(t - T0, T1 - t);
            return edge >= ToneLanguage.RampSeconds ? 1 : 0.5 * (1 - Math.Cos(Math.PI * Math.Max(edge, 0) / ToneLanguage.RampSeconds));
        }
    }
}
