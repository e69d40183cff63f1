using Muesli.Audio;
using Muesli.Inference.Models;
using Muesli.Inference.Tests.Asr;
using Muesli.Inference.Tests.Support;
using Muesli.Inference.Vad;
using Onnx;
using Xunit.Abstractions;

namespace Muesli.Inference.Tests.Vad;

public sealed class SileroVadTests(ITestOutputHelper output)
{
    private static readonly OnnxSessionFactory Cpu = new(DeviceOptions.Cpu);

    private static SileroVad RealModel() => new(SharedFiles.SileroModel, Cpu);

    private static SileroVad Scripted(Tests.ModelBuilding.OnnxGraph graph) =>
        new("scripted", Cpu.Create(graph.ToBytes(), SileroVad.ModelRole), "<scripted>");

    [Fact]
    public void Detected_speech_agrees_with_the_reference_turns_of_the_pyannote_sample()
    {
        var samples = PublicAudio.PyannoteSample();
        var reference = PublicAudio.PyannoteSampleTurns();
        using var vad = RealModel();

        var regions = vad.Detect(samples);

        // 10 ms frames, judged at their centres: speech when any reference turn (any detected region) covers it.
        var frames = samples.Length / 160;
        var agreeing = Enumerable.Range(0, frames).Count(f =>
        {
            var t = (f + 0.5) * 0.01;
            return reference.Any(r => r.T0 <= t && t < r.T1) == regions.Any(r => r.Start <= t && t < r.End);
        });
        var agreement = agreeing / (double)frames;
        output.WriteLine($"frame agreement with sample.rttm: {agreement:P1} over {frames} frames, {regions.Count} regions");
        Assert.True(agreement >= 0.90, $"agreement {agreement:P1} is below 90 %");
    }

    [Fact]
    public void Silence_has_no_speech()
    {
        var samples = AudioFile.Read16kMono(SharedFiles.PathOf("testdata/pyannote-debug/empty.wav"));
        using var vad = RealModel();

        Assert.Empty(vad.Detect(samples));
        Assert.All(vad.Probabilities(samples), p => Assert.InRange(p, 0f, 0.5f));
    }

    [Fact]
    public void The_silero_test_recording_has_speech()
    {
        var samples = AudioFile.Read16kMono(SharedFiles.PathOf("testdata/silero-test.wav"));
        using var vad = RealModel();

        var regions = vad.Detect(samples);

        output.WriteLine($"{regions.Count} regions, {regions.Sum(r => r.Duration):F2} s of speech in {samples.Length / 16000.0:F2} s");
        Assert.NotEmpty(regions);
        Assert.True(regions.Sum(r => r.Duration) > 1.0);
        Assert.All(regions, r => Assert.InRange(r.End, r.Start, samples.Length / 16000.0));
    }

    [Fact]
    public void One_probability_per_512_samples_counting_a_short_last_chunk()
    {
        using var vad = RealModel();

        Assert.Equal(3, vad.Probabilities(new float[1025]).Length);
        Assert.Empty(vad.Probabilities([]));
        Assert.Equal(0.032, vad.FrameSeconds, 1e-12);
    }

    [Fact]
    public void The_recurrent_state_carries_from_chunk_to_chunk_and_each_call_starts_afresh()
    {
        var samples = PublicAudio.PyannoteSample();
        using var vad = RealModel();

        var whole = vad.Probabilities(samples);
        var again = vad.Probabilities(samples);
        var fromChunk100 = vad.Probabilities(samples.AsSpan(100 * 512));

        Assert.Equal(whole, again);
        Assert.NotEqual(whole[100], fromChunk100[0]);
    }

    [Fact]
    public void The_context_in_front_of_each_chunk_is_the_tail_of_the_chunk_before()
    {
        // Chunk k holds the value k + 1; the last chunk is half full.
        var samples = Enumerable.Range(0, (int)(3.5 * 512)).Select(n => (float)((n / 512) + 1)).ToArray();
        using var vad = Scripted(ScriptedSileroModel.ContextSum());

        var sums = vad.Probabilities(samples);

        Assert.Equal([0f, 64f * 1, 64f * 2, 64f * 3], sums);
    }

    [Fact]
    public void Each_chunk_gets_the_state_the_previous_chunk_left()
    {
        using var vad = Scripted(ScriptedSileroModel.ChunkCounter());

        var first = vad.Probabilities(new float[5 * 512]);
        var second = vad.Probabilities(new float[3 * 512]);

        Assert.Equal([0f, 1f, 2f, 3f, 4f], first);
        Assert.Equal([0f, 1f, 2f], second);
    }

    [Fact]
    public void An_hour_of_audio_allocates_little_more_than_its_probabilities()
    {
        using var vad = Scripted(ScriptedSileroModel.ChunkCounter());
        var chunks = 3600 * 16000 / 512;
        var hour = new float[chunks * 512];
        vad.Probabilities(hour.AsSpan(0, 512 * 10));

        var before = GC.GetAllocatedBytesForCurrentThread();
        var probabilities = vad.Probabilities(hour);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        // A chunk that copied its samples into a new array alone would cost 2 KiB.
        var perChunk = (allocated - (probabilities.Length * sizeof(float))) / (double)chunks;
        output.WriteLine($"{allocated} bytes for {chunks} chunks: {perChunk:F1} bytes per chunk besides the result");
        Assert.True(perChunk < 256, $"{perChunk:F1} bytes allocated per chunk");
    }

    [Fact]
    public void The_catalog_constructor_takes_the_model_role_and_names_the_engine_by_its_id()
    {
        var sessions = new OnnxSessionFactory(DeviceOptions.Cpu);
        var installed = Installed("silero-vad");

        using var vad = new SileroVad(installed, sessions);

        Assert.Equal("silero-vad-v5", vad.Name);
        Assert.Equal(new SessionInfo(SileroVad.SessionRole, SharedFiles.SileroModel, "CPU"), Assert.Single(sessions.Sessions));
    }

    [Fact]
    public void A_model_of_another_family_is_refused()
    {
        var error = Assert.Throws<ArgumentException>(() => new SileroVad(Installed("sortformer"), Cpu));

        Assert.StartsWith("model 'silero-vad-v5' is of family 'sortformer', not 'silero-vad'", error.Message);
    }

    [Fact]
    public void A_missing_file_is_named()
    {
        var path = Path.Combine(Path.GetTempPath(), $"muesli-no-vad-{Guid.NewGuid():N}.onnx");

        var error = Assert.Throws<FileNotFoundException>(() => new SileroVad(path, Cpu));

        Assert.Equal($"the vad model file does not exist: {path}", error.Message);
    }

    [Fact]
    public void A_wrong_input_name_is_reported_with_the_inputs_found()
    {
        using var folder = new ModelFolder().With(ScriptedSileroModel.Misshapen(audioInput: "audio"));

        var error = Assert.Throws<InvalidDataException>(() => new SileroVad(folder.ModelPath, Cpu));

        Assert.Equal($"{folder.ModelPath} has no input named 'input' (inputs: audio, state, sr)", error.Message);
    }

    [Fact]
    public void A_state_of_the_wrong_width_is_reported_with_its_shape()
    {
        using var folder = new ModelFolder().With(ScriptedSileroModel.Misshapen(stateShape: [2, "B", 64]));

        var error = Assert.Throws<InvalidDataException>(() => new SileroVad(folder.ModelPath, Cpu));

        Assert.Equal($"{folder.ModelPath}: input 'state' should be f32 [2, B, 128], found Float [2, ?, 64]", error.Message);
    }

    [Fact]
    public void A_sample_rate_that_is_not_an_integer_is_reported()
    {
        using var folder = new ModelFolder().With(ScriptedSileroModel.Misshapen(sampleRateType: TensorProto.Types.DataType.Float));

        var error = Assert.Throws<InvalidDataException>(() => new SileroVad(folder.ModelPath, Cpu));

        Assert.Equal($"{folder.ModelPath}: input 'sr' should be an i64 scalar, found Float []", error.Message);
    }

    [Fact]
    public void A_missing_state_output_is_reported_with_the_outputs_found()
    {
        using var folder = new ModelFolder().With(ScriptedSileroModel.Misshapen(stateOutput: "next_state"));

        var error = Assert.Throws<InvalidDataException>(() => new SileroVad(folder.ModelPath, Cpu));

        Assert.Equal($"{folder.ModelPath} has no output named 'stateN' (outputs: output, next_state)", error.Message);
    }

    private static InstalledModel Installed(string family)
        => InstalledModels.FromFiles("silero-vad-v5", "vad", family, ("model", SharedFiles.SileroModel));
}
