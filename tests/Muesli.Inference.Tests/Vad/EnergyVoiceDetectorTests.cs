using Muesli.Inference.Tests.Support;
using ToneAudio = Muesli.Inference.Tests.Tdt.ToneWorld;
using Muesli.Inference.Vad;
using Muesli.TestWorld;
using Xunit.Abstractions;

namespace Muesli.Inference.Tests.Vad;

public sealed class EnergyVoiceDetectorTests(ITestOutputHelper output)
{
    private const int Rate = 16000;

    [Fact]
    public void Digital_silence_is_no_speech()
    {
        using var detector = new EnergyVoiceDetector();

        Assert.Empty(detector.Detect(new float[Rate * 30]));
        Assert.Empty(detector.Detect([]));
    }

    [Theory]
    [InlineData(0.0005)]
    [InlineData(0.001)]
    [InlineData(0.002)]
    [InlineData(0.01)]
    [InlineData(0.05)]
    public void Steady_noise_of_any_level_is_no_speech(double rms)
    {
        using var detector = new EnergyVoiceDetector();

        Assert.Empty(detector.Detect(Noise(30, rms, seed: 4)));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Every_word_of_a_tone_meeting_lies_in_an_island(int seed)
    {
        var meeting = ToneMeetingGenerator.Generate(new MeetingSpec { DurationSeconds = 120, Speakers = 3, Seed = seed });
        using var detector = new EnergyVoiceDetector();
        var samples = ToneAudio.Samples(meeting);

        var speech = detector.Detect(samples);
        var islands = SpeechIslands.Plan(speech, meeting.Duration, SpeechIslandOptions.Default);

        var spoken = meeting.WordBoundedTurns().Sum(t => t.T1 - t.T0);
        output.WriteLine($"{speech.Count} regions ({speech.Sum(r => r.Duration):F1} s), {islands.Count} islands ({islands.Sum(i => i.Duration):F1} s) over {spoken:F1} s of word-bounded turns");
        Assert.All(meeting.Words, w => Assert.Contains(islands, i => i.Start <= w.T0 && w.T1 <= i.End));
    }

    [Fact]
    public void Speech_amid_long_digital_silence_and_quiet_noise_keeps_the_silence_from_asr()
    {
        // Tone speech, 80 s of digital silence, tone speech, 80 s of noise at −60 dBFS: the trailing cases in one window.
        var first = ToneMeetingGenerator.Generate(new MeetingSpec { DurationSeconds = 20, Seed = 3 });
        var second = ToneMeetingGenerator.Generate(new MeetingSpec { DurationSeconds = 20, Seed = 4 });
        var spliced = new Splice()
            .Speech(ToneAudio.Samples(first))
            .Silence(new float[Rate * 80])
            .Speech(ToneAudio.Samples(second))
            .Silence(Noise(80, 0.001, seed: 5));

        AssertIslandsHoldTheSpeechAndSkipTheSilence(spliced);
    }

    [Fact]
    public void Real_speech_with_silence_spliced_in_is_covered_and_the_silence_is_not()
    {
        var jfk = AudioFileSamples("testdata/jfk.wav");
        var sample = AudioFileSamples("testdata/pyannote-sample/sample.wav");

        // sample.wav's first 6.6 s hold no speech in its RTTM: splice from its first turn on.
        var firstTurn = PublicAudio.PyannoteSampleTurns().Min(t => t.T0);
        var spliced = new Splice()
            .Silence(new float[Rate * 40])
            .Speech(jfk)
            .Silence(new float[Rate * 60])
            .Speech(sample[(int)(firstTurn * Rate)..])
            .Silence(Noise(60, 0.001, seed: 6));

        AssertIslandsHoldTheSpeechAndSkipTheSilence(spliced);
    }

    [Fact]
    public void Settings_out_of_range_are_refused_by_name()
    {
        Assert.Equal(nameof(EnergyDetectorOptions.MarginDb), Assert.Throws<ArgumentOutOfRangeException>(() => new EnergyVoiceDetector(new EnergyDetectorOptions { MarginDb = 0 })).ParamName);
        Assert.Equal(nameof(EnergyDetectorOptions.FloorPercentile), Assert.Throws<ArgumentOutOfRangeException>(() => new EnergyVoiceDetector(new EnergyDetectorOptions { FloorPercentile = 1 })).ParamName);
        Assert.Equal(nameof(EnergyDetectorOptions.MinFloorDb), Assert.Throws<ArgumentOutOfRangeException>(() => new EnergyVoiceDetector(new EnergyDetectorOptions { MinFloorDb = -120 })).ParamName);
    }

    private void AssertIslandsHoldTheSpeechAndSkipTheSilence(Splice spliced)
    {
        using var detector = new EnergyVoiceDetector();

        var islands = SpeechIslands.Plan(detector.Detect(spliced.Samples), spliced.Seconds, SpeechIslandOptions.Default);

        Report(spliced, islands);
        Assert.True(spliced.SpeechCovered(islands) >= 0.95, $"islands cover {spliced.SpeechCovered(islands):P1} of the speech");
        Assert.True(spliced.SilenceIncluded(islands) <= 0.05, $"islands include {spliced.SilenceIncluded(islands):P1} of the silence");
    }

    private void Report(Splice spliced, IReadOnlyList<SpeechRegion> islands)
    {
        output.WriteLine($"{spliced.Seconds:F1} s: {islands.Count} islands ({islands.Sum(i => i.Duration):F1} s), speech covered {spliced.SpeechCovered(islands):P1}, silence included {spliced.SilenceIncluded(islands):P1}");
        foreach (var island in islands)
        {
            output.WriteLine($"  {island.Start,8:F2} {island.End,8:F2}");
        }
    }

    private static float[] AudioFileSamples(string relative) => Muesli.Audio.AudioFile.Read16kMono(SharedFiles.PathOf(relative));

    private static float[] Noise(double seconds, double rms, int seed) => Signals.WhiteNoise((int)(seconds * Rate), rms, seed);

    /// <summary>Audio laid end to end, remembering which stretches are speech and which are spliced-in silence.</summary>
    private sealed class Splice
    {
        private readonly List<float> samples = [];
        private readonly List<SpeechRegion> speech = [];
        private readonly List<SpeechRegion> silence = [];

        public float[] Samples => [.. samples];

        public double Seconds => samples.Count / (double)Rate;

        public Splice Speech(float[] audio) => Add(audio, speech);

        public Splice Silence(float[] audio) => Add(audio, silence);

        public double SpeechCovered(IReadOnlyList<SpeechRegion> islands) => Stretches.Covered(speech, islands);

        public double SilenceIncluded(IReadOnlyList<SpeechRegion> islands) => Stretches.Covered(silence, islands);

        private Splice Add(float[] audio, List<SpeechRegion> spans)
        {
            spans.Add(new SpeechRegion(Seconds, Seconds + (audio.Length / (double)Rate)));
            samples.AddRange(audio);
            return this;
        }
    }
}
