using Muesli.Inference.Tests.Support;

namespace Muesli.Inference.Tests.Models;

/// <summary>A small hand-written manifest: two ASR models (default tdt-main) and one VAD model.</summary>
internal static class TestManifest
{
    /// <summary>sha256("abc"), the FIPS 180-2 example.</summary>
    public const string AbcSha256 = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

    public const string Json = $$"""
        {
          "schema": 1,
          "defaults": { "asr": "tdt-main", "vad": "vad-one" },
          "models": [
            {
              "id": "ctc-small",
              "aliases": ["small"],
              "kind": "asr",
              "family": "nemo-ctc",
              "directory": "ctc-small",
              "license": "CC-BY-4.0",
              "source": "https://example.org/ctc-small",
              "files": [
                { "role": "model", "name": "model.onnx", "url": "https://example.org/model.onnx", "size": 100, "sha256": null },
                { "role": "tokens", "name": "tokens.txt", "url": null, "size": null, "sha256": null }
              ]
            },
            {
              "id": "tdt-main",
              "aliases": ["main", "Parakeet"],
              "kind": "asr",
              "family": "nemo-tdt",
              "directory": "tdt",
              "files": [
                { "role": "encoder", "name": "encoder.int8.onnx", "size": 300 },
                { "role": "decoder", "name": "decoder.int8.onnx", "size": 40 },
                { "role": "joiner", "name": "joiner.int8.onnx", "size": 20 },
                { "role": "tokens", "name": "tokens.txt", "size": 10 }
              ]
            },
            {
              "id": "vad-one",
              "kind": "vad",
              "family": "silero-vad",
              "directory": "vad",
              "files": [
                { "role": "model", "name": "vad.onnx", "size": 3, "sha256": "{{AbcSha256}}" }
              ]
            }
          ]
        }
        """;

    public static void InstallTdtMain(ModelFolder folder)
    {
        folder.Install("tdt/encoder.int8.onnx", 300);
        folder.Install("tdt/decoder.int8.onnx", 40);
        folder.Install("tdt/joiner.int8.onnx", 20);
        folder.Install("tdt/tokens.txt", 10);
    }

    public static void InstallCtcSmall(ModelFolder folder, long tokensSize = 5)
    {
        folder.Install("ctc-small/model.onnx", 100);
        folder.Install("ctc-small/tokens.txt", tokensSize);
    }
}
