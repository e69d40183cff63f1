using Google.Protobuf;
using Onnx;

namespace Muesli.TestWorld.StandIns;

/// <summary>
/// The stand-in Silero VAD v5, with the signature read from the shipped <c>silero_vad.onnx</c>: <c>input</c> f32 [?, ?]
/// (a batch of context + chunk: 64 + 512 samples at 16 kHz, 32 + 256 at 8 kHz), <c>state</c> f32 [2, ?, 128],
/// <c>sr</c> i64 scalar → <c>output</c> f32 [?, 1] speech probability, <c>stateN</c> f32 [?, ?, ?] (every dynamic
/// axis unnamed, no metadata, as spox exported the real one). It hears with ordinary operators:
/// <list type="number">
/// <item>a Hann-windowed cosine and sine filter over the whole window at each of the 20 word tones and 6 voice tones,
/// built at run time from the window's length and <c>sr</c> (so any rate and chunk size works), each pair's squares
/// summed and scaled so a steady tone of amplitude A reads A² of energy; a tone at or above 0.45 × <c>sr</c> is not
/// listened for, as <see cref="ToneSynthesis"/> leaves it out;</item>
/// <item>the recurrent state: <c>state[0, b, k]</c> holds tone k's smoothed energy, and each chunk's energy is averaged
/// into it with weight 1 − <see cref="Memory"/>; the rest of <c>state</c> is ignored, and <c>stateN</c> (shaped like
/// <c>state</c>) is zero there;</item>
/// <item>the loudest smoothed tone against <see cref="EnergyThreshold"/>: sigmoid(<see cref="Gain"/> × ln(energy /
/// threshold)) is the chunk's speech probability.</item>
/// </list>
/// <para>
/// A word or voice (amplitude 0.002) filling a window reads 4 × the threshold: the first full chunk, holding half of
/// it, reads about 0.89 and later ones about 0.98; when the tones stop, the memory keeps the probability at 0.5 or over
/// for two more chunks, a hangover a caller that drops the state never sees. White noise of RMS σ reads 6σ²/N per
/// filter over an N-sample window: at σ = 0.002 (−54 dBFS) and 16 kHz that is 1/24 of the threshold, so digital
/// silence and the tone world's noise floors read as non-speech.
/// </para>
/// <para>
/// The real Silero is a learned STFT encoder and an LSTM whose (h, c) are the state's two layers, with one set of
/// weights for 16 kHz and one for 8 kHz chosen by an If on <c>sr</c>; it hears real voices and not tones, and this
/// stand-in hears tones and not voices. What they share is what a caller sees: the tensors, the chunking with its
/// context, a state that must be carried from chunk to chunk, and one speech probability per chunk.
/// </para>
/// </summary>
public static class ToneVadModel
{
    public const string Id = "tone-vad";
    public const string Family = "silero-vad";

    public const int StateWidth = 128;

    /// <summary>A quarter of a tone's A² (the tone filling about half the Hann-weighted window).</summary>
    public const float EnergyThreshold = (float)(ToneLanguage.VoiceAmplitude * ToneLanguage.VoiceAmplitude / 4);

    /// <summary>Logit per neper of smoothed energy over the threshold: a full tone reads about 0.98.</summary>
    public const float Gain = 3f;

    /// <summary>Share of the smoothed energy carried over to the next chunk.</summary>
    public const float Memory = 0.5f;

    /// <summary>Highest listened-for tone as a share of the sample rate, the generator's own limit.</summary>
    public const float AudibleShare = 0.45f;

    // Keeps log() finite on digital silence.
    private const float EnergyFloor = 1e-12f;

    /// <summary>The tones listened for: every word's, then every speaker's voice.</summary>
    public static IReadOnlyList<double> Tones { get; } =
        [.. ToneLanguage.WordFrequencies, .. Enumerable.Range(0, ToneLanguage.MaxSpeakers).Select(ToneLanguage.VoiceFrequency)];

    public static StandInModels.StandIn StandIn() =>
        new(Id, "vad", Family, [new StandInModels.StandInFile("model", "model.onnx", Build())]);

    public static byte[] Build() => BuildModel().ToByteArray();

    public static ModelProto BuildModel()
    {
        var tones = Tones.Count;
        var graph = new OnnxGraph("tone_vad");
        var audio = graph.Input("input", TensorProto.Types.DataType.Float, OnnxGraph.Dim.Unnamed, OnnxGraph.Dim.Unnamed);
        var state = graph.Input("state", TensorProto.Types.DataType.Float, 2, OnnxGraph.Dim.Unnamed, StateWidth);
        var sampleRate = graph.Input("sr", TensorProto.Types.DataType.Int64);

        // n = 0 … N − 1 over the window's samples, as floats.
        var length = graph.Node("Cast", [graph.Node("Gather", [graph.Node("Shape", [audio]), graph.Constant("sample_axis", [1L])])], null,
            OnnxGraph.Int("to", 1));
        var n = graph.Node("Range", [graph.Constant("zero", [0f]), length, graph.Constant("one", [1f])]);

        // Symmetric Hann over the window, and 2 / ΣHann so a tone of amplitude A reads A after the filter.
        var hannStep = graph.Node("Div", [graph.Constant("two_pi", [2 * MathF.PI]), graph.Node("Sub", [length, "one"])]);
        var hann = graph.Node("Sub", [
            graph.Constant("half", [0.5f]),
            graph.Node("Mul", ["half", graph.Node("Cos", [graph.Node("Mul", [n, hannStep])])])]);
        var scale = graph.Node("Div", [graph.Constant("two", [2f]), graph.Node("ReduceSum", [hann], null, OnnxGraph.Int("keepdims", 0))]);
        var window = graph.Node("Mul", [hann, scale]);

        // [2·tones, N]: windowed cosines then sines at each tone, for this call's sample rate.
        var rate = graph.Node("Cast", [sampleRate], null, OnnxGraph.Int("to", 1));
        var tonesHz = graph.Constant("tones", Tones.Select(hz => (float)hz).ToArray(), tones);
        var omega = graph.Node("Div", [graph.Node("Mul", [tonesHz, "two_pi"]), rate]);
        var phase = graph.Node("Mul", [
            graph.Node("Unsqueeze", [omega, graph.Constant("tone_axis", [1L], 1)]),
            graph.Node("Unsqueeze", [n, graph.Constant("first_axis", [0L], 1)])]);
        var kernels = graph.Node("Concat", [
            graph.Node("Mul", [graph.Node("Cos", [phase]), window]),
            graph.Node("Mul", [graph.Node("Sin", [phase]), window])], null, OnnxGraph.Int("axis", 0));

        // [B, tones]: each tone's energy in this window, zero for tones the rate cannot carry.
        var responses = graph.Node("Gemm", [audio, kernels], null, OnnxGraph.Int("transB", 1));
        var squares = graph.Node("Reshape", [graph.Node("Mul", [responses, responses]), graph.Constant("pairs_shape", [0L, 2, tones], 3)]);
        var energy = graph.Node("ReduceSum", [squares, "tone_axis"], null, OnnxGraph.Int("keepdims", 0));
        var audible = graph.Node("Cast", [graph.Node("Less", [tonesHz, graph.Node("Mul", [rate, graph.Constant("audible_share", [AudibleShare])])])], null,
            OnnxGraph.Int("to", 1));
        var heard = graph.Node("Mul", [energy, audible]);

        // The recurrent state: state[0, :, :tones] is each tone's smoothed energy, which this chunk moves towards its own.
        var previous = graph.Node("Squeeze", [
            graph.Node("Slice", [state, graph.Constant("state_starts", [0L, 0], 2), graph.Constant("state_ends", [1L, tones], 2), graph.Constant("state_axes", [0L, 2], 2)]),
            "first_axis"]);
        var smoothed = graph.Node("Add", [
            graph.Node("Mul", [previous, graph.Constant("memory", [Memory])]),
            graph.Node("Mul", [heard, graph.Constant("novelty", [1 - Memory])])]);
        var padded = graph.Node("Pad", [
            graph.Node("Unsqueeze", [smoothed, "first_axis"]),
            graph.Constant("state_pads", [0L, 0, 0, 1, 0, StateWidth - tones], 6)]);
        // Shaped like the state given, which leaves stateN's axes unknown at load, as the real model's If leaves them.
        graph.Node("Reshape", [padded, graph.Node("Shape", [state])], "stateN");

        var loudest = graph.Node("ReduceMax", [smoothed], null, OnnxGraph.Ints("axes", 1), OnnxGraph.Int("keepdims", 1));
        var logEnergy = graph.Node("Log", [graph.Node("Add", [loudest, graph.Constant("energy_floor", [EnergyFloor])])]);
        var logit = graph.Node("Mul", [
            graph.Node("Sub", [logEnergy, graph.Constant("log_threshold", [MathF.Log(EnergyThreshold)])]),
            graph.Constant("gain", [Gain])]);
        graph.Node("Sigmoid", [logit], "output");

        graph.Output("output", TensorProto.Types.DataType.Float, OnnxGraph.Dim.Unnamed, 1);
        graph.Output("stateN", TensorProto.Types.DataType.Float, OnnxGraph.Dim.Unnamed, OnnxGraph.Dim.Unnamed, OnnxGraph.Dim.Unnamed);

        return graph.ToModel(new Dictionary<string, string>());
    }
}
