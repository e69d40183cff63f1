using System.Globalization;
using Google.Protobuf;
using Onnx;

namespace Muesli.TestWorld.StandIns;

/// <summary>
/// The stand-in pyannote segmentation-3.0: the sherpa-onnx export's signature (<c>x</c> f32 [N, 1, T] →
/// <c>y</c> f32 [N, F, 7] log-probabilities over {∅}, {1}, {2}, {3}, {1,2}, {1,3}, {2,3}, F = (T − 991) / 270 + 1)
/// and metadata, hearing the speakers' voice tones with ordinary operators:
/// <list type="number">
/// <item>a Conv1D of Hann-windowed cosine and sine kernels at each voice frequency, 991 samples every 270 (the real
/// model's receptive field and step), scaled so a steady tone of amplitude A reads A² of band energy;</item>
/// <item>log(energy / <see cref="EnergyThreshold"/>) × <see cref="Gain"/> as each voice's evidence;</item>
/// <item>local speaker slots per window: the voices heard anywhere in the window take slots 0, 1, 2 in voice order (a
/// fourth shares slot 0), so slot numbers say nothing of who speaks and only embeddings link a speaker across
/// windows, as with the real model;</item>
/// <item>a powerset class scores the evidence of its slots summed (∅ scores 0), then LogSoftmax — two voices on
/// at once make an overlap class.</item>
/// </list>
/// </summary>
public static class ToneSegmentationModel
{
    public const string Id = "tone-segmentation";
    public const string Family = "pyannote-segmentation";

    public const int WindowSamples = 160000;
    public const int ReceptiveField = 991;
    public const int Step = 270;
    public const int LocalSpeakers = 3;

    /// <summary>
    /// Band energy at which a voice counts as on: a quarter of a voice's A² (the voice filling about half the
    /// Hann-weighted field), 22 dB over the default noise floor's 6·10⁻⁹ in a band.
    /// </summary>
    public const float EnergyThreshold = (float)(ToneLanguage.VoiceAmplitude * ToneLanguage.VoiceAmplitude / 4);

    /// <summary>Logit per neper of band energy: sharp enough that a class wins clearly a few dB from the threshold.</summary>
    public const float Gain = 5f;

    // Keeps log() finite on the zeros that pad the last window.
    private const float EnergyFloor = 1e-12f;

    // The evidence of a slot no voice took: far below any class that holds it.
    private const float Unheard = 1000f;

    /// <summary>The powerset classes as sets of local slots, in the model's output order.</summary>
    private static readonly int[][] Classes = [[], [0], [1], [2], [0, 1], [0, 2], [1, 2]];

    public static StandInModels.StandIn StandIn() =>
        new(Id, "segmentation", Family, [new StandInModels.StandInFile("model", "model.onnx", Build())]);

    public static byte[] Build() => BuildModel().ToByteArray();

    public static ModelProto BuildModel()
    {
        var voices = ToneLanguage.MaxSpeakers;
        var graph = new OnnxGraph("tone_segmentation");
        var audio = graph.Input("x", TensorProto.Types.DataType.Float, "N", 1, "T");

        // [N, 2·voices, F]: cosine then sine responses; squared and summed over the pair, band energy [N, voices, F].
        var responses = graph.Node("Conv", [audio, graph.Constant("voice_kernels", Kernels(), 2 * voices, 1, ReceptiveField)], null,
            OnnxGraph.Ints("kernel_shape", ReceptiveField),
            OnnxGraph.Ints("strides", Step));
        var squares = graph.Node("Mul", [responses, responses]);
        var pairs = graph.Node("Reshape", [squares, graph.Constant("pairs_shape", [0L, 2, voices, -1], 4)]);
        var energy = graph.Node("ReduceSum", [pairs, graph.Constant("pair_axis", [1L], 1)], null, OnnxGraph.Int("keepdims", 0));

        var logEnergy = graph.Node("Log", [graph.Node("Add", [energy, graph.Constant("energy_floor", [EnergyFloor], 1)])]);
        var evidence = graph.Node("Mul", [
            graph.Node("Sub", [logEnergy, graph.Constant("log_threshold", [MathF.Log(EnergyThreshold)], 1)]),
            graph.Constant("gain", [Gain], 1)]);

        // Local slots per window: the voices heard anywhere in it take slots 0, 1, 2 in voice order (a fourth shares
        // slot 0), so a slot names different speakers in different windows. [N, voices, slots] one-hot assignment.
        var heard = graph.Node("Cast", [graph.Node("Greater", [evidence, graph.Constant("zero", [0f], 1)])], null, OnnxGraph.Int("to", 1));
        var present = graph.Node("ReduceMax", [heard], null, OnnxGraph.Ints("axes", 2), OnnxGraph.Int("keepdims", 0));
        var rank = graph.Node("CumSum", [present, graph.Constant("voice_axis", [1L], 1)], null, OnnxGraph.Int("exclusive", 1));
        var slot = graph.Node("Mod", [rank, graph.Constant("slot_count", [(float)LocalSpeakers], 1)], null, OnnxGraph.Int("fmod", 1));
        var oneHot = graph.Node("Cast", [graph.Node("Equal", [
            graph.Node("Unsqueeze", [slot, graph.Constant("last_axis", [2L], 1)]),
            graph.Constant("slot_numbers", [0f, 1, 2], LocalSpeakers)])], null, OnnxGraph.Int("to", 1));
        var assigned = graph.Node("Unsqueeze", [
            graph.Node("Mul", [oneHot, graph.Node("Unsqueeze", [present, graph.Constant("slot_axis", [2L], 1)])]),
            graph.Constant("frame_axis", [3L], 1)]);

        // A slot takes the evidence of its voice; a slot without one reads −Unheard: [N, voices, slots, F] → [N, slots, F].
        var routed = graph.Node("Mul", [assigned, graph.Node("Unsqueeze", [evidence, graph.Constant("routed_axis", [2L], 1)])]);
        var unheard = graph.Node("Mul", [
            graph.Node("Sub", [assigned, graph.Constant("one", [1f], 1)]),
            graph.Constant("unheard", [Unheard], 1)]);
        var slots = graph.Node("ReduceMax", [graph.Node("Add", [routed, unheard])], null, OnnxGraph.Ints("axes", 1), OnnxGraph.Int("keepdims", 0));
        var frames = graph.Node("Transpose", [slots], null, OnnxGraph.Ints("perm", 0, 2, 1));
        var logits = graph.Node("MatMul", [frames, graph.Constant("powerset", Membership(), LocalSpeakers, Classes.Length)]);
        graph.Node("LogSoftmax", [logits], "y", OnnxGraph.Int("axis", -1));
        graph.Output("y", TensorProto.Types.DataType.Float, "N", "F", Classes.Length);

        return graph.ToModel(Metadata());
    }

    /// <summary>The metadata keys and values of the sherpa-onnx export of segmentation-3.0.</summary>
    public static IReadOnlyDictionary<string, string> Metadata() => new Dictionary<string, string>
    {
        ["num_speakers"] = Text(LocalSpeakers),
        ["powerset_max_classes"] = "2",
        ["num_classes"] = Text(Classes.Length),
        ["sample_rate"] = "16000",
        ["window_size"] = Text(WindowSamples),
        ["receptive_field_size"] = Text(ReceptiveField),
        ["receptive_field_shift"] = Text(Step),
        ["model_type"] = "pyannote-segmentation-3.0",
        ["version"] = "1",
        ["model_author"] = "Muesli.TestWorld (the tone world)",
        ["maintainer"] = "Muesli.TestWorld",
    };

    /// <summary>[2·voices, 1, field]: rows 0…5 Hann·cos, rows 6…11 Hann·sin at each voice, each scaled by 2 / ΣHann.</summary>
    private static float[] Kernels()
    {
        var voices = ToneLanguage.MaxSpeakers;
        var hann = Enumerable.Range(0, ReceptiveField)
            .Select(n => 0.5 - (0.5 * Math.Cos(2 * Math.PI * n / (ReceptiveField - 1))))
            .ToArray();
        var scale = 2 / hann.Sum();
        var kernels = new float[2 * voices * ReceptiveField];
        for (var j = 0; j < voices; j++)
        {
            var omega = 2 * Math.PI * ToneLanguage.VoiceFrequency(j) / 16000;
            for (var n = 0; n < ReceptiveField; n++)
            {
                kernels[(j * ReceptiveField) + n] = (float)(scale * hann[n] * Math.Cos(omega * n));
                kernels[((voices + j) * ReceptiveField) + n] = (float)(scale * hann[n] * Math.Sin(omega * n));
            }
        }

        return kernels;
    }

    /// <summary>[slots, classes]: 1 where the class holds the slot, so a class scores the sum of its slots' evidence.</summary>
    private static float[] Membership()
    {
        var membership = new float[LocalSpeakers * Classes.Length];
        for (var c = 0; c < Classes.Length; c++)
        {
            foreach (var slot in Classes[c])
            {
                membership[(slot * Classes.Length) + c] = 1;
            }
        }

        return membership;
    }

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);
}
