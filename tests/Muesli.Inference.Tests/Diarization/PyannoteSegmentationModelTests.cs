using Muesli.Inference.Diarization;
using Muesli.Inference.Tests.ModelBuilding;
using Muesli.Inference.Tests.Support;
using Onnx;

namespace Muesli.Inference.Tests.Diarization;

public sealed class PyannoteSegmentationModelTests : IDisposable
{
    private readonly ModelFolder folder = new();
    private readonly OnnxSessionFactory sessions = new(DeviceOptions.Cpu);

    public void Dispose() => folder.Dispose();

    private PyannoteSegmentationModel Load(OnnxGraph graph, out string path)
    {
        path = folder.Write("segmentation.onnx", graph);
        return new PyannoteSegmentationModel(sessions.Create(path, "segmentation"), path);
    }

    private InvalidDataException LoadError(OnnxGraph graph, out string path)
    {
        var written = folder.Write("segmentation.onnx", graph);
        path = written;
        return Assert.Throws<InvalidDataException>(() => new PyannoteSegmentationModel(sessions.Create(written, "segmentation"), written));
    }

    [Fact]
    public void The_exports_metadata_sets_the_window_frames_and_powerset()
    {
        using var model = Load(EnergySegmentationModel.Graph(), out _);

        Assert.Equal(160000, model.WindowSamples);
        Assert.Equal(SegmentationFrames.Pyannote, model.Frames);
        Assert.Equal(7, model.Powerset.Classes);
        Assert.Equal(3, model.Powerset.Speakers);
        Assert.Equal(int.MaxValue, model.MaxBatch);
    }

    [Fact]
    public void Without_metadata_the_published_values_and_the_input_shape_apply()
    {
        using var model = Load(EnergySegmentationModel.Graph(batch: 1, samples: 160000, metadata: new Dictionary<string, string>()), out _);

        Assert.Equal(160000, model.WindowSamples);
        Assert.Equal(SegmentationFrames.Pyannote, model.Frames);
        Assert.Equal(7, model.Powerset.Classes);
        Assert.Equal(1, model.MaxBatch);
    }

    [Fact]
    public void An_export_made_by_the_onnx_runtime_quantizer_runs_one_window_at_a_time()
    {
        var metadata = EnergySegmentationModel.MetadataWith(PyannoteSegmentationModel.QuantizedKey, PyannoteSegmentationModel.QuantizedValue);
        using var model = Load(EnergySegmentationModel.Graph(metadata: metadata), out _);

        Assert.True(model.Quantized);
        Assert.Equal(1, model.MaxBatch);
        Assert.Throws<ArgumentException>(() => model.Run(new float[2 * 160000], 2));
    }

    [Fact]
    public void A_run_gives_589_frames_of_seven_log_probabilities_per_10_s_window()
    {
        using var model = Load(EnergySegmentationModel.Graph(), out _);
        var audio = new float[2 * 160000];
        Signals.Sine(1000, 160000).CopyTo(audio, 160000);

        var scores = model.Run(audio, 2);

        Assert.Equal((2, 589, 7), (scores.Windows, scores.Frames, scores.Classes));
        var silent = scores.Window(0).ToArray();
        var loud = scores.Window(1).ToArray();
        for (var t = 0; t < 589; t++)
        {
            var probabilities = Enumerable.Range(0, 7).Select(c => Math.Exp(loud[(t * 7) + c])).ToArray();
            Assert.Equal(1, probabilities.Sum(), 1e-4);
            Assert.True(silent[t * 7] > silent[(t * 7) + 1], "silence is class 0");
            Assert.True(loud[(t * 7) + 1] > loud[t * 7], "a loud tone is class 1");
        }
    }

    [Fact]
    public void A_run_of_the_wrong_size_is_refused()
    {
        using var model = Load(EnergySegmentationModel.Graph(), out var path);

        var error = Assert.Throws<ArgumentException>(() => model.Run(new float[1000], 1));

        Assert.StartsWith($"{path}: takes up to", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_input_is_named_with_the_inputs_found()
    {
        var error = LoadError(EnergySegmentationModel.Graph(input: "audio"), out var path);

        Assert.Equal($"{path} has no input named 'x' (inputs: audio)", error.Message);
    }

    [Fact]
    public void A_missing_output_is_named_with_the_outputs_found()
    {
        var error = LoadError(EnergySegmentationModel.Graph(output: "logits_out"), out var path);

        Assert.Equal($"{path} has no output named 'y' (outputs: logits_out)", error.Message);
    }

    [Fact]
    public void An_input_of_the_wrong_rank_is_reported_with_what_was_found()
    {
        var graph = new OnnxGraph()
            .Input("x", TensorProto.Types.DataType.Float, "N", "T")
            .Node("Identity", ["x"], "y")
            .Output("y", TensorProto.Types.DataType.Float, "N", "T");

        var error = LoadError(graph, out var path);

        Assert.Equal($"{path}: input 'x' should be f32 [N, 1, samples], found Float [?, ?]", error.Message);
    }

    [Fact]
    public void Stereo_input_is_refused()
    {
        var error = LoadError(EnergySegmentationModel.Graph(channels: 2), out var path);

        Assert.Equal($"{path}: input 'x' has 2 channels (axis 1 of Float [?, 2, ?]), expected 1", error.Message);
    }

    [Fact]
    public void A_window_size_that_contradicts_the_input_is_reported()
    {
        var error = LoadError(EnergySegmentationModel.Graph(samples: 80000), out var path);

        Assert.Equal($"{path}: input 'x' takes 80000 samples, its metadata window_size says 160000", error.Message);
    }

    [Fact]
    public void A_class_count_that_is_not_the_powerset_is_reported()
    {
        var error = LoadError(EnergySegmentationModel.Graph(metadata: EnergySegmentationModel.MetadataWith("num_classes", "8")), out var path);

        Assert.Equal($"{path}: metadata num_classes is 8, but 3 speakers at most 2 at a time make 7 powerset classes", error.Message);
    }

    [Fact]
    public void An_output_with_other_classes_than_the_powerset_is_reported()
    {
        var error = LoadError(EnergySegmentationModel.Graph(classes: 5, metadata: EnergySegmentationModel.MetadataWith("num_classes", null)), out var path);

        Assert.Equal($"{path}: output 'y' has 5 classes (axis 2 of Float [?, ?, 5]), expected 7", error.Message);
    }

    [Fact]
    public void Another_sample_rate_is_refused()
    {
        var error = LoadError(EnergySegmentationModel.Graph(metadata: EnergySegmentationModel.MetadataWith("sample_rate", "8000")), out var path);

        Assert.Equal($"{path}: metadata sample_rate is 8000, the pipeline feeds 16000 Hz", error.Message);
    }

    [Fact]
    public void Malformed_metadata_is_named()
    {
        var error = LoadError(EnergySegmentationModel.Graph(metadata: EnergySegmentationModel.MetadataWith("receptive_field_shift", "fast")), out var path);

        Assert.Equal($"{path}: metadata receptive_field_shift should be a positive integer, found 'fast'", error.Message);
    }

    [Fact]
    public void A_receptive_field_smaller_than_its_step_is_refused()
    {
        var error = LoadError(EnergySegmentationModel.Graph(metadata: EnergySegmentationModel.MetadataWith("receptive_field_size", "100")), out _);

        Assert.Contains("receptive_field_size 100 should lie between receptive_field_shift 270", error.Message);
    }

    [Fact]
    public void More_simultaneous_speakers_than_speakers_is_refused()
    {
        var error = LoadError(EnergySegmentationModel.Graph(metadata: EnergySegmentationModel.MetadataWith("powerset_max_classes", "4")), out _);

        Assert.Contains("powerset_max_classes 4 is more than num_speakers 3", error.Message);
    }
}
