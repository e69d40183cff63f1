using Muesli.Inference.Models;

namespace Muesli.Inference.Asr;

/// <summary>Makes the ASR engine of an installed model, by its manifest family (e.g. <c>nemo-ctc</c>).</summary>
public static class AsrEngines
{
    public static IAsrEngine Create(InstalledModel model, OnnxSessionFactory sessions)
        => throw new NotImplementedException();
}
