namespace Muesli.Inference.Tests.Tdt;

/// <summary>A temporary folder with a TDT model's four files, deleted on dispose.</summary>
internal sealed class TdtModelFolder : IDisposable
{
    public TdtModelFolder(ScriptedTdtModel model, IEnumerable<string>? tokens = null)
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"muesli-tdt-{Guid.NewGuid():N}");
        Directory.CreateDirectory(Path);
        model.Encoder().WriteTo(EncoderPath);
        model.Decoder().WriteTo(DecoderPath);
        model.Joiner().WriteTo(JoinerPath);
        File.WriteAllLines(TokensPath, tokens ?? ScriptedTdtModel.Tokens);
    }

    public string Path { get; }

    public string EncoderPath => System.IO.Path.Combine(Path, "encoder.onnx");

    public string DecoderPath => System.IO.Path.Combine(Path, "decoder.onnx");

    public string JoinerPath => System.IO.Path.Combine(Path, "joiner.onnx");

    public string TokensPath => System.IO.Path.Combine(Path, "tokens.txt");

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
