using Muesli.Audio;
using Muesli.Inference.Tests.Support;
using Muesli.Inference.Vad;
using Xunit.Abstractions;

namespace Muesli.Inference.Tests.Vad;

/// <summary>
/// The shipped Silero on the shipped recordings spliced between long stretches of digital silence or quiet noise: the
/// speech islands planned around what it detects must hold the recordings and leave the stretches out.
/// </summary>
public sealed class SileroSplicedSpeechTests(ITestOutputHelper output)
{
    private const int Rate = 16000;

    // A 10 ms frame under −40 dBFS is near-silence: the recordings' own lead-ins and tails, not their speech.
    private const double NearSilenceRms = 0.01;

    private static readonly string[] Recordings = ["testdata/jfk.wav", "testdata/silero-test.wav", "testdata/pyannote-sample/sample.wav"];

    // Seconds of filler before, between and after the recordings.
    private static readonly double[] Fillers = [20, 60, 30, 45];

    [Theory]
    [InlineData("digital silence", 0.0)]
    [InlineData("white noise at -60 dBFS", 0.001)]
    public void Islands_around_detected_speech_hold_the_recordings_and_little_of_the_stretches_between(string filler, double fillerRms)
    {
        var signal = new List<float>();
        var speech = new List<SpeechRegion>();
        var stretches = new List<SpeechRegion>();
        for (var i = 0; i < Fillers.Length; i++)
        {
            var start = Seconds(signal.Count);
            signal.AddRange(Signals.WhiteNoise((int)(Fillers[i] * Rate), fillerRms, seed: i));
            stretches.Add(new SpeechRegion(start, Seconds(signal.Count)));
            if (i < Recordings.Length)
            {
                var clip = AudioFile.Read16kMono(SharedFiles.PathOf(Recordings[i]));
                var (first, last) = SpeechExtent(clip);
                speech.Add(new SpeechRegion(Seconds(signal.Count + first), Seconds(signal.Count + last)));
                signal.AddRange(clip);
            }
        }

        using var vad = new SileroVad(SharedFiles.SileroModel, new OnnxSessionFactory(DeviceOptions.Cpu));
        var regions = vad.Detect(signal.ToArray());
        var islands = SpeechIslands.Plan(regions, Seconds(signal.Count), SpeechIslandOptions.Default);

        var covered = Stretches.Covered(speech, islands);
        var included = Stretches.Covered(stretches, islands);
        output.WriteLine($"{filler}: {Seconds(signal.Count):F1} s, {regions.Count} regions → {islands.Count} islands");
        output.WriteLine($"  speech (trimmed recordings, {Stretches.Total(speech):F1} s): {covered:P2} in islands, {Stretches.Covered(speech, regions):P2} in regions");
        output.WriteLine($"  {filler} ({Stretches.Total(stretches):F0} s): {included:P2} in islands, {Stretches.Covered(stretches, regions):P2} in regions");
        foreach (var (recording, extent) in Recordings.Zip(speech))
        {
            output.WriteLine($"  {recording} at {extent.Start:F2}–{extent.End:F2} s: {Stretches.Covered([extent], islands):P2} in islands");
        }

        foreach (var island in islands)
        {
            output.WriteLine($"  island {island.Start,8:F2} {island.End,8:F2}");
        }

        Assert.True(covered >= 0.95, $"islands hold only {covered:P2} of the speech");
        Assert.True(included <= 0.05, $"islands include {included:P2} of the {filler}");
    }

    /// <summary>Samples [first, last) from the first to the end of the last 10 ms frame louder than near-silence.</summary>
    private static (int First, int Last) SpeechExtent(float[] clip)
    {
        const int frame = Rate / 100;
        var loud = Enumerable.Range(0, clip.Length / frame)
            .Where(f => Rms(clip.AsSpan(f * frame, frame)) > NearSilenceRms)
            .ToArray();
        return (loud[0] * frame, (loud[^1] + 1) * frame);
    }

    private static double Rms(ReadOnlySpan<float> samples)
    {
        var sum = 0.0;
        foreach (var x in samples)
        {
            sum += (double)x * x;
        }

        return Math.Sqrt(sum / samples.Length);
    }

    private static double Seconds(int samples) => samples / (double)Rate;
}
