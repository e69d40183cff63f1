using System.Globalization;
using Muesli.Inference.Asr.Whisper;
using Muesli.Inference.Tests.ModelBuilding;
using Muesli.Inference.Tests.Support;
using Onnx;
using static Muesli.Inference.Tests.Whisper.TestVocabulary;

namespace Muesli.Inference.Tests.Whisper;

/// <summary>
/// A Whisper encoder/decoder pair with the sherpa-onnx export's tensor names, shapes and metadata keys, over
/// <see cref="TestVocabulary"/>. The encoder "hears" loudness: its cross caches are filled with the window's loudest
/// mel value, the zero frames that pad a short window to 30 s left out (they hold no audio). The decoder's logits for the token at position p follow <see cref="Script"/>, scaled by that loudness
/// (silence flattens them), with &lt;|nospeech|&gt; raised for silence. It writes p + 1 into its self caches at the
/// positions it is fed and counts the filled positions before <c>offset</c>; when they are not exactly the offset
/// (the caches were not carried over from the previous run), eot wins. Like the real decoder's positional embedding,
/// its script table has a row per position, so a token fed at or past <see cref="TextContext"/> fails inside ONNX
/// Runtime.
/// </summary>
internal sealed record StandInWhisper
{
    /// <summary>n_text_ctx of the released Whisper models: the positions their decoder holds.</summary>
    public const int RealTextContext = 448;

    public bool Multilingual { get; init; }

    /// <summary>Mel bins: an int, or a string for a dynamic axis.</summary>
    public object Mels { get; init; } = 80;

    public object Frames { get; init; } = 3000;

    public int TextLayers { get; init; } = 2;

    public int TextContext { get; init; } = 32;

    public int TextState { get; init; } = 4;

    public int AudioContext { get; init; } = 3;

    /// <summary>Layers the decoder's cache tensors declare (n_text_layer unless set).</summary>
    public int? CacheLayers { get; init; }

    /// <summary>Logits per token (n_vocab unless set).</summary>
    public int Classes { get; init; } = Size;

    public string MelInput { get; init; } = WhisperModel.MelInput;

    public TensorProto.Types.DataType TokensType { get; init; } = TensorProto.Types.DataType.Int64;

    /// <summary>Replaces (or, with null, removes) encoder metadata.</summary>
    public IReadOnlyDictionary<string, string?> MetadataChanges { get; init; } = new Dictionary<string, string?>();

    /// <summary>The token each sampling step should produce; eot after the list.</summary>
    public IReadOnlyList<int> Script { get; init; } = JfkScript;

    /// <summary>Three segments: " And so my" 0–1 s, " fellow Americans," 1–2.5 s, " ça" 2.5–3 s.</summary>
    public static IReadOnlyList<int> JfkScript { get; } =
        [At(0), 1, 2, 3, At(1), At(1), 4, 5, 6, 7, At(2.5), At(2.5), 8, 9, At(3)];

    private int PromptLength => Multilingual ? 3 : 1;

    public OnnxGraph Encoder()
    {
        var graph = new OnnxGraph()
            .Input(MelInput, TensorProto.Types.DataType.Float, "n_audio", Mels, Frames)
            .Longs("cross_shape", [4], [TextLayers, 1, AudioContext, TextState])
            .Floats("pad_value", [], [0f])
            .Floats("below_silence", [], [-10f])
            .Node("Equal", [MelInput, "pad_value"], "is_pad")
            .Node("Where", ["is_pad", "below_silence", MelInput], "heard")
            .Node("ReduceMax", ["heard"], "loudness", OnnxGraph.Int("keepdims", 0))
            .Node("Expand", ["loudness", "cross_shape"], WhisperModel.CrossKey)
            .Node("Identity", [WhisperModel.CrossKey], WhisperModel.CrossValue)
            .Output(WhisperModel.CrossKey, TensorProto.Types.DataType.Float, TextLayers, "n_audio", AudioContext, TextState)
            .Output(WhisperModel.CrossValue, TensorProto.Types.DataType.Float, TextLayers, "n_audio", AudioContext, TextState);
        foreach (var (key, value) in Metadata())
        {
            graph.Metadata(key, value);
        }

        return graph;
    }

    public OnnxGraph Decoder()
    {
        var layers = CacheLayers ?? TextLayers;
        const TensorProto.Types.DataType F = TensorProto.Types.DataType.Float;
        const TensorProto.Types.DataType I = TensorProto.Types.DataType.Int64;
        return new OnnxGraph()
            .Input(WhisperModel.TokensInput, TokensType, "n_audio", "n_tokens")
            .Input(WhisperModel.SelfKeyInput, F, layers, "n_audio", TextContext, TextState)
            .Input(WhisperModel.SelfValueInput, F, layers, "n_audio", TextContext, TextState)
            .Input(WhisperModel.CrossKey, F, TextLayers, "n_audio", AudioContext, TextState)
            .Input(WhisperModel.CrossValue, F, TextLayers, "n_audio", AudioContext, TextState)
            .Input(WhisperModel.OffsetInput, I, 1)
            .Floats("table", [TextContext, Classes], Table())
            .Floats("eot_column", [Classes], OneHot(Eot))
            .Floats("no_speech_column", [Classes], OneHot(NoSpeech))
            .Floats("one_f", [], [1f])
            .Floats("zero_f", [], [0f])
            .Floats("quiet_level", [], [-0.5f])
            .Floats("no_speech_gain", [], [20f])
            .Floats("cache_penalty", [], [1000f])
            .Longs("one", [], [1])
            .Longs("zero", [], [0])
            .Longs("axis0", [1], [0])
            .Longs("positions", [TextContext], [.. Enumerable.Range(0, TextContext).Select(p => (long)p)])
            .Longs("position_shape", [4], [1, 1, TextContext, 1])
            .Node("Squeeze", [WhisperModel.OffsetInput], "offset_scalar")
            .Node("Shape", [WhisperModel.TokensInput], "tokens_shape")
            .Node("Gather", ["tokens_shape", "one"], "fed", OnnxGraph.Int("axis", 0))
            .Node("Add", ["offset_scalar", "fed"], "end")
            // The offset is added after Range: ORT turns Range → Gather into a Slice, which clamps instead of failing.
            .Node("Range", ["zero", "fed", "one"], "fed_steps")
            .Node("Add", ["fed_steps", "offset_scalar"], "fed_positions")
            .Node("Gather", ["table", "fed_positions"], "rows", OnnxGraph.Int("axis", 0))
            .Node("ReduceMax", [WhisperModel.CrossKey], "loudness", OnnxGraph.Int("keepdims", 0))
            .Node("Add", ["loudness", "one_f"], "loudness_plus_one")
            .Node("Relu", ["loudness_plus_one"], "scale")
            .Node("Mul", ["rows", "scale"], "scaled")
            .Node("Sub", ["quiet_level", "loudness"], "quietness")
            .Node("Mul", ["quietness", "no_speech_gain"], "no_speech_boost")
            .Node("Mul", ["no_speech_column", "no_speech_boost"], "no_speech_term")
            .Node("Gather", [WhisperModel.SelfKeyInput, "zero"], "layer0", OnnxGraph.Int("axis", 0))
            .Node("Gather", ["layer0", "zero"], "batch0", OnnxGraph.Int("axis", 0))
            .Node("Gather", ["batch0", "zero"], "first_state", OnnxGraph.Int("axis", 1))
            .Node("Greater", ["first_state", "zero_f"], "filled_flags")
            .Node("Cast", ["filled_flags"], "filled", OnnxGraph.Int("to", 1))
            .Node("Less", ["positions", "offset_scalar"], "before_flags")
            .Node("Cast", ["before_flags"], "before", OnnxGraph.Int("to", 1))
            .Node("Mul", ["filled", "before"], "filled_before")
            .Node("ReduceSum", ["filled_before"], "filled_count", OnnxGraph.Int("keepdims", 0))
            .Node("Cast", ["offset_scalar"], "offset_f", OnnxGraph.Int("to", 1))
            .Node("Sub", ["filled_count", "offset_f"], "cache_gap")
            .Node("Abs", ["cache_gap"], "cache_error")
            .Node("Mul", ["cache_error", "cache_penalty"], "eot_boost")
            .Node("Mul", ["eot_column", "eot_boost"], "eot_term")
            .Node("Add", ["scaled", "no_speech_term"], "with_no_speech")
            .Node("Add", ["with_no_speech", "eot_term"], "logits_2d")
            .Node("Unsqueeze", ["logits_2d", "axis0"], WhisperModel.LogitsOutput)
            .Node("GreaterOrEqual", ["positions", "offset_scalar"], "from_offset")
            .Node("Less", ["positions", "end"], "before_end")
            .Node("And", ["from_offset", "before_end"], "written_flags")
            .Node("Reshape", ["written_flags", "position_shape"], "written")
            .Node("Add", ["positions", "one"], "position_plus_one")
            .Node("Cast", ["position_plus_one"], "position_values", OnnxGraph.Int("to", 1))
            .Node("Reshape", ["position_values", "position_shape"], "cache_values")
            .Node("Where", ["written", "cache_values", WhisperModel.SelfKeyInput], WhisperModel.SelfKeyOutput)
            .Node("Where", ["written", "cache_values", WhisperModel.SelfValueInput], WhisperModel.SelfValueOutput)
            .Output(WhisperModel.LogitsOutput, F, "n_audio", "n_tokens", Classes)
            .Output(WhisperModel.SelfKeyOutput, F, layers, "n_audio", TextContext, TextState)
            .Output(WhisperModel.SelfValueOutput, F, layers, "n_audio", TextContext, TextState);
    }

    public ModelFolder Write(IEnumerable<string>? tokens = null)
    {
        var folder = new ModelFolder();
        Encoder().WriteTo(folder.EncoderPath);
        Decoder().WriteTo(folder.DecoderPath);
        File.WriteAllLines(folder.TokensPath, tokens ?? TokenLines());
        return folder;
    }

    private Dictionary<string, string> Metadata()
    {
        static string Ints(IEnumerable<int> values) => string.Join(",", values.Select(v => v.ToString(CultureInfo.InvariantCulture)));
        var metadata = new Dictionary<string, string>
        {
            ["model_type"] = "whisper-tone",
            ["version"] = "1",
            ["maintainer"] = "muesli-tests",
            ["n_mels"] = Mels is int mels ? mels.ToString(CultureInfo.InvariantCulture) : "80",
            ["n_audio_ctx"] = AudioContext.ToString(CultureInfo.InvariantCulture),
            ["n_audio_state"] = TextState.ToString(CultureInfo.InvariantCulture),
            ["n_audio_head"] = "1",
            ["n_audio_layer"] = "1",
            ["n_vocab"] = Size.ToString(CultureInfo.InvariantCulture),
            ["n_text_ctx"] = TextContext.ToString(CultureInfo.InvariantCulture),
            ["n_text_state"] = TextState.ToString(CultureInfo.InvariantCulture),
            ["n_text_head"] = "1",
            ["n_text_layer"] = TextLayers.ToString(CultureInfo.InvariantCulture),
            ["sot_sequence"] = Multilingual ? Ints([Sot, English, Transcribe]) : Ints([Sot]),
            ["all_language_tokens"] = Ints([English, German, French]),
            ["all_language_codes"] = "en,de,fr",
            ["sot"] = Ints([Sot]),
            ["sot_index"] = "0",
            ["eot"] = Ints([Eot]),
            ["is_multilingual"] = Multilingual ? "1" : "0",
            ["no_speech"] = Ints([NoSpeech]),
            ["non_speech_tokens"] = "0",
            ["transcribe"] = Ints([Transcribe]),
            ["translate"] = Ints([Translate]),
            ["sot_prev"] = "18",
            ["sot_lm"] = "17",
            ["no_timestamps"] = Ints([NoTimestamps]),
        };
        foreach (var (key, value) in MetadataChanges)
        {
            if (value is null)
            {
                metadata.Remove(key);
            }
            else
            {
                metadata[key] = value;
            }
        }

        return metadata;
    }

    private float[] Table()
    {
        var table = Enumerable.Repeat(-10f, TextContext * Classes).ToArray();
        for (var position = 0; position < TextContext; position++)
        {
            var step = position - (PromptLength - 1);
            var token = step >= 0 && step < Script.Count ? Script[step] : Eot;
            table[(position * Classes) + token] = 10f;
        }

        // What language detection reads: the row of sot at position 0.
        table[English] = 1f;
        table[German] = 3f;
        table[French] = 2f;
        return table;
    }

    private float[] OneHot(int token)
    {
        var column = new float[Classes];
        column[token] = 1f;
        return column;
    }
}
