using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Muesli.TestWorld;

/// <summary>Small ONNX models, built in code, with the real exports' names, shapes and metadata.</summary>
public static class StandInModels
{
    /// <summary>Id of the stand-in NeMo CTC model in a stand-in models folder.</summary>
    public const string CtcId = "tone-ctc";

    /// <summary>The NeMo front end size the stand-in CTC model is written for (Parakeet's).</summary>
    public const int CtcFeatures = 128;

    /// <summary>One file of a stand-in: its manifest role, its name and what it holds.</summary>
    public sealed record StandInFile(string Role, string Name, byte[] Contents);

    /// <summary>A stand-in as the manifest lists it; <see cref="Kind"/> also names the default it becomes.</summary>
    public sealed record StandIn(string Id, string Kind, string Family, IReadOnlyList<StandInFile> Files)
    {
        public string Directory => Id;
    }

    /// <summary>
    /// Every stand-in a models folder gets; the first of each kind is that kind's default. The VAD comes only on
    /// request, so the folder the existing tests run stays as it was: without a VAD.
    /// </summary>
    public static IReadOnlyList<StandIn> All(bool withVad = false) =>
    [
        ToneTdtModel.StandIn(),
        new StandIn(CtcId, "asr", "nemo-ctc",
        [
            new StandInFile("model", "model.onnx", ToneCtcModel.Build(CtcFeatures)),
            new StandInFile("tokens", "tokens.txt", Encoding.UTF8.GetBytes(ToneCtcModel.Tokens())),
        ]),
        StandIns.ToneSegmentationModel.StandIn(),
        StandIns.ToneEmbeddingModel.StandIn(),
        .. withVad ? [StandIns.ToneVadModel.StandIn()] : Array.Empty<StandIn>(),
    ];

    /// <summary>Writes a models folder (<c>models.json</c> + each stand-in's files) that <c>muesli --models</c> accepts.</summary>
    /// <param name="withVad">Adds the stand-in Silero VAD (<see cref="StandIns.ToneVadModel"/>) as the <c>vad</c> default.</param>
    /// <param name="realSize">Pads each ONNX file to its real export's size (<see cref="RealSizeStandIns"/>): about 700 MB.</param>
    public static void WriteModelsFolder(string directory, bool withVad = false, bool realSize = false)
    {
        var standIns = All(withVad);
        var padded = new Dictionary<StandInFile, (long Size, string Sha256)>();
        foreach (var standIn in standIns)
        {
            var folder = Path.Combine(directory, standIn.Directory);
            System.IO.Directory.CreateDirectory(folder);
            foreach (var file in standIn.Files)
            {
                if (realSize && RealSizeStandIns.Sizes.TryGetValue((standIn.Id, file.Name), out var real))
                {
                    padded[file] = (real.Size, RealSizeStandIns.WritePadded(Path.Combine(folder, file.Name), file.Contents, real.Size));
                }
                else
                {
                    File.WriteAllBytes(Path.Combine(folder, file.Name), file.Contents);
                }
            }
        }

        File.WriteAllText(Path.Combine(directory, "models.json"), Manifest(standIns, f => padded.TryGetValue(f, out var p) ? p : Describe(f)));
    }

    /// <summary>The <c>models.json</c> text (schema 1) listing the stand-ins, with sizes and SHA-256 but no url.</summary>
    public static string Manifest(IReadOnlyList<StandIn> standIns) => Manifest(standIns, Describe);

    private static (long Size, string Sha256) Describe(StandInFile file)
        => (file.Contents.LongLength, Convert.ToHexStringLower(SHA256.HashData(file.Contents)));

    private static string Manifest(IReadOnlyList<StandIn> standIns, Func<StandInFile, (long Size, string Sha256)> written)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteNumber("schema", 1);
            json.WriteStartObject("defaults");
            foreach (var kind in standIns.Select(s => s.Kind).Distinct())
            {
                json.WriteString(kind, standIns.First(s => s.Kind == kind).Id);
            }

            json.WriteEndObject();
            json.WriteStartArray("models");
            foreach (var standIn in standIns)
            {
                json.WriteStartObject();
                json.WriteString("id", standIn.Id);
                json.WriteString("kind", standIn.Kind);
                json.WriteString("family", standIn.Family);
                json.WriteString("directory", standIn.Directory);
                json.WriteNull("license");
                json.WriteString("source", "built in code by Muesli.TestWorld (the tone world)");
                json.WriteStartArray("files");
                foreach (var file in standIn.Files)
                {
                    json.WriteStartObject();
                    json.WriteString("role", file.Role);
                    json.WriteString("name", file.Name);
                    json.WriteNull("url");
                    var (size, sha256) = written(file);
                    json.WriteNumber("size", size);
                    json.WriteString("sha256", sha256);
                    json.WriteEndObject();
                }

                json.WriteEndArray();
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }
}
