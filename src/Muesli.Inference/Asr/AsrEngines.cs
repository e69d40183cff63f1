using Muesli.Inference.Asr.Tdt;
using Muesli.Inference.Asr.Whisper;
using Muesli.Inference.Models;

namespace Muesli.Inference.Asr;

/// <summary>Makes the ASR engine of an installed model, by its manifest family (e.g. <c>nemo-ctc</c>).</summary>
public static class AsrEngines
{
    public static readonly IReadOnlyList<string> SupportedFamilies = [NemoTdtEngine.Family, NemoCtcEngine.Family, WhisperEngine.Family];

    /// <param name="language">A language code, or <c>auto</c>; only engines that can be told a language use it.</param>
    public static IAsrEngine Create(InstalledModel model, OnnxSessionFactory sessions, string language = WhisperOptions.DetectLanguage)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(sessions);
        return model.Entry.Family switch
        {
            NemoTdtEngine.Family => NemoTdtEngine.Load(model.Entry.Id, model.PathOf("encoder"), model.PathOf("decoder"), model.PathOf("joiner"), model.PathOf("tokens"), sessions),
            NemoCtcEngine.Family => NemoCtcEngine.Load(model.Entry.Id, model.PathOf("model"), model.PathOf("tokens"), sessions),
            WhisperEngine.Family => WhisperEngine.Load(model.Entry.Id, model.PathOf("encoder"), model.PathOf("decoder"), model.PathOf("tokens"), sessions, new WhisperOptions { Language = language }),
            var family => throw new NotSupportedException(
                $"ASR model '{model.Entry.Id}' is of family '{family}', which has no engine (supported: {string.Join(", ", SupportedFamilies)})"),
        };
    }
}
