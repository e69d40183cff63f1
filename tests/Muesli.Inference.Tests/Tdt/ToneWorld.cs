using Muesli.Core;
using Muesli.Core.Transcripts;
using Muesli.Inference.Asr;
using Muesli.Inference.Asr.Tdt;
using Muesli.Inference.Models;
using Muesli.Inference.Tests.Support;
using Muesli.TestWorld;

namespace Muesli.Inference.Tests.Tdt;

/// <summary>A stand-in models folder (deleted on dispose), tone meetings as 16 kHz floats, and word matching against the truth.</summary>
internal sealed class ToneWorld : IDisposable
{
    private readonly StandInModelsFolder standIns = new();

    public ModelCatalog Catalog => standIns.Catalog;

    public IAsrEngine Asr(string? id = null)
        => AsrEngines.Create(Catalog.Resolve(ModelKinds.Asr, id), new OnnxSessionFactory(DeviceOptions.Cpu));

    /// <summary>The stand-in TDT model, opened as the engine opens it.</summary>
    public NemoTdtModel OpenTdtModel()
    {
        var installed = Catalog.Resolve(ModelKinds.Asr, ToneTdtModel.Id);
        var sessions = new OnnxSessionFactory(DeviceOptions.Cpu);
        return new NemoTdtModel(
            sessions.Create(installed.PathOf("encoder"), "encoder"),
            installed.PathOf("encoder"),
            sessions.Create(installed.PathOf("decoder"), "decoder"),
            installed.PathOf("decoder"),
            sessions.Create(installed.PathOf("joiner"), "joiner"),
            installed.PathOf("joiner"),
            TokenTable.Load(installed.PathOf("tokens")));
    }

    /// <summary>The stand-in CTC model, opened as the engine opens it.</summary>
    public NemoCtcModel OpenCtcModel()
    {
        var installed = Catalog.Resolve(ModelKinds.Asr, StandInModels.CtcId);
        var model = installed.PathOf("model");
        return new NemoCtcModel(new OnnxSessionFactory(DeviceOptions.Cpu).Create(model, "model"), model, TokenTable.Load(installed.PathOf("tokens")));
    }

    public static float[] Samples(ToneMeeting meeting)
        => meeting.Render(ToneMeeting.AllStreams, AudioFormat.Asr).Select(s => s / 32768f).ToArray();

    /// <summary>
    /// Pairs each heard word with the true word it overlaps most, when they have the same text; each true word is
    /// matched at most once.
    /// </summary>
    public static IReadOnlyList<(TruthWord Truth, Word Heard)> Match(IReadOnlyList<TruthWord> truth, IReadOnlyList<Word> heard)
    {
        var matched = new List<(TruthWord, Word)>();
        var used = new HashSet<TruthWord>();
        foreach (var word in heard)
        {
            var best = truth
                .Select(t => (Truth: t, Overlap: Math.Min(t.T1, word.End) - Math.Max(t.T0, word.Start)))
                .Where(c => c.Overlap > 0)
                .OrderByDescending(c => c.Overlap)
                .Select(c => c.Truth)
                .FirstOrDefault();
            if (best is not null && best.Text == word.Text && used.Add(best))
            {
                matched.Add((best, word));
            }
        }

        return matched;
    }

    public void Dispose() => standIns.Dispose();
}
