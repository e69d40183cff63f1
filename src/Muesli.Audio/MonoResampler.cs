using NAudio.Dsp;

namespace Muesli.Audio;

/// <summary>
/// One channel of float audio resampled with NAudio's WDL windowed-sinc resampler so that, after N input samples,
/// exactly floor(N · outRate / inRate) samples have come out, however the input was chunked.
/// <para>
/// How the count is kept exact: WDL places output j at input position j · inRate / outRate (it primes its history
/// with zeros, so its output is aligned with its input), but it can only compute a sample once half a filter length
/// of input past it has arrived, and input is fed in fixed blocks so that the result does not depend on how callers
/// chunk it. The emitted stream is therefore WDL's aligned output delayed by a constant <see cref="DelaySamples"/>
/// (that many zeros come first); the delay covers one block plus half the filter, so the samples owed after any
/// input are always already computed, and the ones not yet owed wait in a small queue.
/// </para>
/// A long run of silence, once the filter holds nothing but zeros, is emitted directly and the filter restarts
/// after it; what follows is then placed within one output sample of where the uninterrupted filter would put it.
/// </summary>
internal sealed class MonoResampler
{
    private const int TapsPerRatio = 64;

    private readonly int inputRate;
    private readonly int outputRate;
    private readonly WdlResampler? wdl;
    private readonly int blockSize;
    private readonly float[] block;
    private readonly float[] computed;
    private readonly long quietThreshold;
    private float[] queue;
    private int blockFill;
    private int queued;
    private long leadingZeros;
    private long trailingZeros;

    public MonoResampler(int inputRate, int outputRate)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(inputRate, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(outputRate, 1);
        this.inputRate = inputRate;
        this.outputRate = outputRate;
        block = [];
        computed = [];
        queue = [];
        if (inputRate == outputRate)
        {
            return;
        }

        // Downsampling needs a longer filter for the same transition band, measured in input samples.
        var taps = TapsPerRatio * Math.Max(1, (int)Math.Ceiling((double)inputRate / outputRate));
        var halfFilter = taps / 2;
        // 4 ms blocks: a short delay, yet few enough calls into WDL.
        blockSize = Math.Max(32, inputRate / 250);

        // WDL computes output j once input reaches j · ratio + halfFilter + 3; the + 2 absorbs the rounding of both.
        DelaySamples = (int)Math.Ceiling((blockSize + halfFilter + 3.0) * outputRate / inputRate) + 2;

        // Zeros after the last sound that carry it through the filter, the block and the delay.
        quietThreshold = (long)Math.Ceiling((double)DelaySamples * inputRate / outputRate) + taps + blockSize + 8;
        leadingZeros = DelaySamples;

        wdl = new WdlResampler();
        wdl.SetMode(interp: true, filtercnt: 0, sinc: true, sinc_size: taps);
        wdl.SetFeedMode(wantInputDriven: true);
        wdl.SetRates(inputRate, outputRate);
        wdl.Reset();

        block = new float[blockSize];
        computed = new float[(int)Math.Ceiling((double)blockSize * outputRate / inputRate) + 16];
        queue = new float[DelaySamples + (2 * computed.Length)];
    }

    /// <summary>Output samples by which the content lags behind its input position (0 when rates are equal).</summary>
    public int DelaySamples { get; }

    public long InputSamples { get; private set; }

    public long OutputSamples { get; private set; }

    public void Process(ReadOnlySpan<float> input, List<float> output)
    {
        if (wdl is null)
        {
            foreach (var sample in input)
            {
                output.Add(sample);
            }

            InputSamples += input.Length;
            OutputSamples += input.Length;
            return;
        }

        while (!input.IsEmpty)
        {
            var take = Math.Min(input.Length, blockSize - blockFill);
            var target = block.AsSpan(blockFill, take);
            input[..take].CopyTo(target);
            CountTrailingZeros(target);
            blockFill += take;
            InputSamples += take;
            input = input[take..];
            if (blockFill == blockSize)
            {
                FeedBlock();
            }

            Emit(output);
        }
    }

    public void ProcessSilence(long samples, List<float> output)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(samples);
        if (wdl is null)
        {
            AddZeros(output, samples);
            InputSamples += samples;
            OutputSamples += samples;
            return;
        }

        while (samples > 0)
        {
            if (blockFill == 0 && trailingZeros >= quietThreshold)
            {
                EmitSilenceAndRestart(samples, output);
                return;
            }

            var take = (int)Math.Min(samples, blockSize - blockFill);
            block.AsSpan(blockFill, take).Clear();
            trailingZeros += take;
            blockFill += take;
            InputSamples += take;
            samples -= take;
            if (blockFill == blockSize)
            {
                FeedBlock();
            }

            Emit(output);
        }
    }

    private void CountTrailingZeros(ReadOnlySpan<float> samples)
    {
        var lastSound = samples.LastIndexOfAnyExcept(0f);
        trailingZeros = lastSound < 0 ? trailingZeros + samples.Length : samples.Length - 1 - lastSound;
    }

    private void FeedBlock()
    {
        var wanted = wdl!.ResamplePrepare(blockSize, 1, out var inbuffer);
        block.AsSpan(0, wanted).CopyTo(inbuffer);
        var made = wdl.ResampleOut(computed, wanted, computed.Length, 1);
        blockFill = 0;
        if (queued + made > queue.Length)
        {
            Array.Resize(ref queue, Math.Max(queue.Length * 2, queued + made));
        }

        computed.AsSpan(0, made).CopyTo(queue.AsSpan(queued));
        queued += made;
    }

    private void Emit(List<float> output)
    {
        var due = (InputSamples * outputRate / inputRate) - OutputSamples;
        var zeros = Math.Min(due, leadingZeros);
        AddZeros(output, zeros);

        leadingZeros -= zeros;
        due -= zeros;
        if (due > queued)
        {
            throw new InvalidOperationException(
                $"resampler {inputRate}->{outputRate} Hz owes {due} samples but has computed only {queued}");
        }

        var ready = (int)due;
        for (var i = 0; i < ready; i++)
        {
            output.Add(queue[i]);
        }

        queue.AsSpan(ready, queued - ready).CopyTo(queue);
        queued -= ready;
        OutputSamples += zeros + ready;
    }

    private void EmitSilenceAndRestart(long samples, List<float> output)
    {
        // Everything in the filter and the queue is silence already, so nothing audible is lost by restarting.
        InputSamples += samples;
        trailingZeros += samples;
        var due = (InputSamples * outputRate / inputRate) - OutputSamples;
        AddZeros(output, due);
        OutputSamples += due;
        queued = 0;
        leadingZeros = DelaySamples;
        wdl!.Reset();
    }

    private static void AddZeros(List<float> output, long count)
    {
        output.EnsureCapacity(checked(output.Count + (int)count));
        for (var i = 0L; i < count; i++)
        {
            output.Add(0f);
        }
    }
}
