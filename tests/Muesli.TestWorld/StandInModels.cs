namespace Muesli.TestWorld;

/// <summary>Small ONNX models, built in code, with the real exports' names, shapes and metadata.</summary>
public static class StandInModels
{
    /// <summary>Id of the stand-in NeMo CTC model in a stand-in models folder.</summary>
    public const string CtcId = "tone-ctc";

    /// <summary>Writes a models folder (<c>models.json</c> + each stand-in's files) that <c>muesli --models</c> accepts.</summary>
    public static void WriteModelsFolder(string directory) => throw new NotImplementedException();
}
