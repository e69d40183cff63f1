namespace Muesli.Inference.Tests.Whisper;

/// <summary>A temporary folder with a Whisper encoder, decoder and tokens, deleted on dispose.</summary>
internal sealed class WhisperFolder : IDisposable
{
    public WhisperFolder()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"muesli-whisper-{Guid.NewGuid():N}");
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string EncoderPath => System.IO.Path.Combine(Path, "encoder.onnx");

    public string DecoderPath => System.IO.Path.Combine(Path, "decoder.onnx");

    public string TokensPath => System.IO.Path.Combine(Path, "tokens.txt");

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
