using System.Runtime.CompilerServices;

namespace Muesli.Inference.Models;

/// <summary>The kinds of model the manifest knows: what a model is used for.</summary>
public static class ModelKinds
{
    public const string Asr = "asr";
    public const string Segmentation = "segmentation";
    public const string Embedding = "embedding";
    public const string Diarization = "diarization";
    public const string Vad = "vad";

    public static IReadOnlyList<string> All { get; } = [Asr, Segmentation, Embedding, Diarization, Vad];

    public static bool IsKnown(string kind) => All.Contains(kind, StringComparer.OrdinalIgnoreCase);
}

/// <summary>An engine family: which kind of model it serves and the file roles its engine opens.</summary>
public sealed record ModelFamily(string Name, string Kind, IReadOnlyList<string> Roles);

/// <summary>The engine families the manifest may name, with the roles each one requires.</summary>
public static class ModelFamilies
{
    public static IReadOnlyList<ModelFamily> All { get; } =
    [
        new("nemo-ctc", ModelKinds.Asr, ["model", "tokens"]),
        new("nemo-tdt", ModelKinds.Asr, ["encoder", "decoder", "joiner", "tokens"]),
        new("whisper", ModelKinds.Asr, ["encoder", "decoder", "tokens"]),
        new("pyannote-segmentation", ModelKinds.Segmentation, ["model"]),
        new("wespeaker", ModelKinds.Embedding, ["model"]),
        new("campplus", ModelKinds.Embedding, ["model"]),
        new("sortformer", ModelKinds.Diarization, ["model"]),
        new("silero-vad", ModelKinds.Vad, ["model"]),
    ];

    public static ModelFamily? Find(string name) =>
        All.FirstOrDefault(f => f.Name.Equals(name, StringComparison.OrdinalIgnoreCase));

    /// <summary>Returns <paramref name="model"/> when it is of <paramref name="family"/>: an engine opens only its own family's files.</summary>
    internal static InstalledModel Require(
        InstalledModel model, string family, [CallerArgumentExpression(nameof(model))] string? parameter = null)
    {
        ArgumentNullException.ThrowIfNull(model, parameter);
        return model.Entry.Family.Equals(family, StringComparison.OrdinalIgnoreCase)
            ? model
            : throw new ArgumentException($"model '{model.Entry.Id}' is of family '{model.Entry.Family}', not '{family}'", parameter);
    }
}
