using Microsoft.ML.OnnxRuntime;
using Muesli.Core;
using Muesli.Inference.Models;
using Muesli.Inference.Tests.Support;
using Muesli.Inference.Vad;
using Muesli.TestWorld;
using Muesli.TestWorld.StandIns;
using Xunit.Abstractions;

namespace Muesli.Inference.Tests.Vad;

public sealed class ToneVadModelTests(ITestOutputHelper output)
{
    private const int Rate = 16000;

    // The RMS of white noise at −60 dBFS.
    private const double QuietNoise = 0.001;

    private static readonly OnnxSessionFactory Cpu = new(DeviceOptions.Cpu);

    private static SileroVad StandIn() => new(ToneVadModel.Id, Cpu.Create(ToneVadModel.Build(), SileroVad.ModelRole), "<tone-vad>");

    [Fact]
    public void Its_tensors_and_metadata_are_those_of_the_shipped_silero()
    {
        using var real = new InferenceSession(SharedFiles.SileroModel);
        using var standIn = new InferenceSession(ToneVadModel.Build());

        foreach (var line in Signature(real))
        {
            output.WriteLine(line);
        }

        Assert.Equal(Signature(real), Signature(standIn));
        Assert.Empty(real.ModelMetadata.CustomMetadataMap);
        Assert.Empty(standIn.ModelMetadata.CustomMetadataMap);
    }

    [Fact]
    public void SileroVad_opens_it_through_the_catalog_of_a_stand_in_folder_written_with_the_vad()
    {
        using var folder = new ModelFolder();
        StandInModels.WriteModelsFolder(folder.Path, withVad: true);
        var catalog = ModelCatalog.Open(folder.Path);
        var sessions = new OnnxSessionFactory(DeviceOptions.Cpu);

        using var vad = new SileroVad(catalog.Resolve(ModelKinds.Vad, null), sessions);

        Assert.Equal(ToneVadModel.Id, catalog.DefaultFor(ModelKinds.Vad));
        Assert.Equal(ToneVadModel.Id, vad.Name);
        Assert.Equal(new SessionInfo(SileroVad.SessionRole, folder.PathOf("tone-vad/model.onnx"), "CPU"), Assert.Single(sessions.Sessions));
        Assert.NotEmpty(vad.Detect(Samples(Meeting(seconds: 10))));
    }

    [Fact]
    public void The_default_stand_in_folder_is_unchanged_and_has_no_vad()
    {
        using var plain = new ModelFolder();
        using var withVad = new ModelFolder();
        StandInModels.WriteModelsFolder(plain.Path);
        StandInModels.WriteModelsFolder(withVad.Path, withVad: true);

        Assert.Equal(["tone-tdt", "tone-ctc", "tone-segmentation", "tone-embedding"], StandInModels.All().Select(s => s.Id));
        Assert.Equal([.. StandInModels.All().Select(s => s.Id), ToneVadModel.Id], StandInModels.All(withVad: true).Select(s => s.Id));
        Assert.Null(ModelCatalog.Open(plain.Path).DefaultFor(ModelKinds.Vad));
        Assert.DoesNotContain(ModelCatalog.Open(plain.Path).Entries, e => e.Kind == ModelKinds.Vad);
        Assert.Equal(StandInModels.Manifest(StandInModels.All()), File.ReadAllText(plain.PathOf("models.json")));

        // Every model file of the plain folder is in the other, byte for byte; the VAD's is the only one added.
        var plainFiles = Files(plain.Path);
        var vadFiles = Files(withVad.Path);
        Assert.Equal(plainFiles.Keys.Append("tone-vad/model.onnx"), vadFiles.Keys);
        Assert.All(plainFiles.Keys.Where(f => f != "models.json"), f => Assert.Equal(plainFiles[f], vadFiles[f]));
    }

    [Theory]
    [InlineData(0.0005)]
    [InlineData(0.001)]
    [InlineData(0.002)]
    public void It_hears_a_tone_meeting_and_not_the_silence_or_noise_spliced_into_it(double meetingNoise)
    {
        var meeting = Meeting(seconds: 90, noise: meetingNoise);
        var audio = Samples(meeting);
        var fillers = new (string Name, float[] Samples)[]
        {
            ("digital silence", new float[20 * Rate]),
            ("noise at -60 dBFS", Signals.WhiteNoise(20 * Rate, QuietNoise, seed: 1)),
            ("noise at RMS 0.002", Signals.WhiteNoise(20 * Rate, 0.002, seed: 2)),
        };

        // meeting, filler, meeting, filler, …, meeting: the speech truth is each copy's word-bounded turns.
        var signal = new List<float>(audio);
        var speech = new List<SpeechRegion>(Turns(meeting, 0));
        var fillerSpans = new List<(string Name, SpeechRegion Span)>();
        foreach (var (name, samples) in fillers)
        {
            fillerSpans.Add((name, new SpeechRegion(Seconds(signal.Count), Seconds(signal.Count + samples.Length))));
            signal.AddRange(samples);
            speech.AddRange(Turns(meeting, Seconds(signal.Count)));
            signal.AddRange(audio);
        }

        using var vad = StandIn();
        var regions = vad.Detect(signal.ToArray());

        var covered = Stretches.Covered(speech, regions);
        output.WriteLine($"meeting noise {meetingNoise}: {regions.Count} regions cover {covered:P2} of {Stretches.Total(speech):F1} s of word-bounded turns");
        foreach (var (name, span) in fillerSpans)
        {
            var marked = Stretches.Covered([span], regions);
            output.WriteLine($"  {name}: {marked:P2} of {span.Duration:F0} s marked as speech");
            Assert.True(marked <= 0.05, $"{marked:P2} of the {name} is marked as speech");
        }

        Assert.True(covered >= 0.95, $"only {covered:P2} of the word-bounded turns is detected");
    }

    [Fact]
    public void Digital_silence_and_white_noise_up_to_rms_0_002_are_never_speech()
    {
        using var vad = StandIn();

        foreach (var (name, samples) in new (string, float[])[]
        {
            ("digital silence", new float[60 * Rate]),
            ("noise at -60 dBFS", Signals.WhiteNoise(60 * Rate, QuietNoise, seed: 3)),
            ("noise at RMS 0.002", Signals.WhiteNoise(60 * Rate, 0.002, seed: 4)),
        })
        {
            var loudest = vad.Probabilities(samples).Max();
            output.WriteLine($"{name}: highest speech probability {loudest:G3}");
            Assert.True(loudest < 0.1f, $"{name} reaches a speech probability of {loudest}");
            Assert.Empty(vad.Detect(samples));
        }
    }

    [Fact]
    public void At_8_kHz_with_32_plus_256_sample_windows_it_hears_every_word_and_no_noise()
    {
        const int rate8k = 8000;
        var meeting = Meeting(seconds: 60);
        var audio = meeting.Render(ToneMeeting.AllStreams, new AudioFormat(rate8k, 1)).Select(s => s / 32768f)
            .Concat(Signals.WhiteNoise(20 * rate8k, QuietNoise, seed: 5)).ToArray();
        using var session = new InferenceSession(ToneVadModel.Build());

        var probabilities = ChunkedRun(session, audio, rate8k, carryState: true);
        // Without most voices a lone word is heard alone, and Silero's 0.25 s minimum would drop the shorter ones.
        var regions = SpeechRegions.Find(probabilities, 256, audio.Length, rate8k, new SileroVadOptions { MinSpeechSeconds = 0.1 });

        var words = meeting.Words.Select(w => new SpeechRegion(w.T0, w.T1)).ToList();
        var noise = new SpeechRegion(meeting.Duration, meeting.Duration + 20);
        var heard = Stretches.Covered(words, regions);
        var marked = Stretches.Covered([noise], regions);
        output.WriteLine($"8 kHz: {regions.Count} regions cover {heard:P2} of the words, {marked:P2} of 20 s of noise at -60 dBFS");

        Assert.True(heard >= 0.95, $"only {heard:P2} of the words is heard at 8 kHz");
        Assert.True(marked <= 0.05, $"{marked:P2} of the noise is speech at 8 kHz");
    }

    [Fact]
    public void Its_answers_depend_on_the_state_so_a_caller_that_drops_it_hears_differently()
    {
        // A word tone from chunk 16 to chunk 48, digital silence around it.
        var samples = new float[64 * 512];
        Signals.Sine(ToneLanguage.WordFrequency(8), 32 * 512, ToneLanguage.WordAmplitude).CopyTo(samples, 16 * 512);
        using var vad = StandIn();
        using var session = new InferenceSession(ToneVadModel.Build());

        var carried = vad.Probabilities(samples);
        var dropped = ChunkedRun(session, samples, Rate, carryState: false);

        output.WriteLine($"chunks 15–20 carried {Format(carried[15..21])}, dropped {Format(dropped[15..21])}");
        output.WriteLine($"chunks 47–52 carried {Format(carried[47..53])}, dropped {Format(dropped[47..53])}");
        Assert.Equal(carried, ChunkedRun(session, samples, Rate, carryState: true), new FloatTolerance(1e-6f));

        // Dropped, the state reads as silence: every chunk hears half its energy, and nothing is left after the tone.
        Assert.All(Enumerable.Range(18, 30), i => Assert.True(carried[i] - dropped[i] > 0.05f, $"chunk {i}: carried {carried[i]}, dropped {dropped[i]}"));
        Assert.True(carried[48] >= 0.5f && dropped[48] < 0.01f, $"first silent chunk: carried {carried[48]}, dropped {dropped[48]}");
        Assert.All(carried[52..], p => Assert.True(p < 0.01f, $"the hangover lasts: {p}"));
    }

    /// <summary>Runs the model chunk by chunk as <see cref="SileroVad"/> does, at any rate, optionally starting each chunk from a zero state.</summary>
    private static float[] ChunkedRun(InferenceSession session, float[] samples, int rate, bool carryState)
    {
        var chunk = SileroVad.ChunkSamples * rate / SileroVad.SampleRate;
        var context = SileroVad.ContextSamples * rate / SileroVad.SampleRate;
        var window = new float[context + chunk];
        var state = new float[2 * SileroVad.StateWidth];
        var result = new float[(samples.Length + chunk - 1) / chunk];
        using var sampleRate = OrtValue.CreateTensorValueFromMemory(new long[] { rate }, []);
        using var runOptions = new RunOptions();
        for (var i = 0; i < result.Length; i++)
        {
            window.AsSpan(chunk, context).CopyTo(window);
            var part = samples.AsSpan(i * chunk, Math.Min(chunk, samples.Length - (i * chunk)));
            part.CopyTo(window.AsSpan(context));
            window.AsSpan(context + part.Length).Clear();
            if (!carryState)
            {
                Array.Clear(state);
            }

            using var input = OrtValue.CreateTensorValueFromMemory(window, [1, window.Length]);
            using var stateValue = OrtValue.CreateTensorValueFromMemory(state, [2, 1, SileroVad.StateWidth]);
            using var outputs = session.Run(
                runOptions, ["input", "state", "sr"], [input, stateValue, sampleRate], ["output", "stateN"]);
            result[i] = outputs[0].GetTensorDataAsSpan<float>()[0];
            outputs[1].GetTensorDataAsSpan<float>().CopyTo(state);
        }

        return result;
    }

    private static IEnumerable<string> Signature(InferenceSession session)
        => session.InputMetadata.Select(i => $"input {Describe(i.Key, i.Value)}")
            .Concat(session.OutputMetadata.Select(o => $"output {Describe(o.Key, o.Value)}"));

    private static string Describe(string name, NodeMetadata node)
        => $"{name} {node.ElementDataType} [{string.Join(", ", node.Dimensions)}] named [{string.Join(", ", node.SymbolicDimensions.Select(d => $"'{d}'"))}]";

    private static ToneMeeting Meeting(double seconds, double noise = 0.001) => ToneMeetingGenerator.Generate(new MeetingSpec
    {
        DurationSeconds = seconds,
        Speakers = 3,
        Seed = 11,
        OverlapRatio = 0.2,
        NoiseLevel = noise,
    });

    private static float[] Samples(ToneMeeting meeting) => Tdt.ToneWorld.Samples(meeting);

    private static IEnumerable<SpeechRegion> Turns(ToneMeeting meeting, double offset)
        => meeting.WordBoundedTurns().Select(t => new SpeechRegion(offset + t.T0, offset + t.T1));

    private static SortedDictionary<string, byte[]> Files(string root)
        => new(Directory.GetFiles(root, "*", SearchOption.AllDirectories)
            .ToDictionary(f => Path.GetRelativePath(root, f).Replace('\\', '/'), File.ReadAllBytes), StringComparer.Ordinal);

    private static double Seconds(int samples) => samples / (double)Rate;

    private static string Format(float[] values) => string.Join(" ", values.Select(v => v.ToString("F3", System.Globalization.CultureInfo.InvariantCulture)));

    private sealed class FloatTolerance(float tolerance) : IEqualityComparer<float>
    {
        public bool Equals(float x, float y) => Math.Abs(x - y) <= tolerance;

        public int GetHashCode(float obj) => 0;
    }
}
