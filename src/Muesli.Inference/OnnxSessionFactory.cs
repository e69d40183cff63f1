using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.ML.OnnxRuntime;

namespace Muesli.Inference;

/// <summary>Where sessions run: the CUDA provider on a device, or the CPU.</summary>
public sealed record DeviceOptions
{
    public bool UseCuda { get; init; }

    public int DeviceId { get; init; }

    /// <summary>Intra-op threads for CPU sessions; 0 lets ONNX Runtime decide.</summary>
    public int IntraOpThreads { get; init; }

    public static readonly DeviceOptions Cpu = new();
}

/// <summary>What a session actually got: which file, for which role, on which provider.</summary>
public sealed record SessionInfo(string Role, string Source, string Provider);

/// <summary>
/// The one place sessions are made. With CUDA asked for, appends the CUDA provider for the configured device; when
/// its libraries cannot load (ONNX Runtime throws, it never falls back by itself), logs that once and builds
/// CPU-only options. Every session's provider is recorded in <see cref="Sessions"/>.
/// </summary>
/// <remarks>
/// The fallback is one log line per process and reason, e.g. "CUDA unavailable on device 0 (libcudart.so.13 not
/// found): running on CPU": when the CUDA provider's library does not load, the reason is the library it lacks, not
/// ONNX Runtime's bare "Failed to load shared library", whose own native warning is kept off stderr.
/// </remarks>
/// <remarks>
/// A CUDA failure that only shows when the session is created (e.g. no such device) counts too: the session is
/// retried on the CPU, and if that works the factory falls back for good; if the CPU fails as well the model is at
/// fault and its error is thrown. Thread-safe.
/// </remarks>
public sealed partial class OnnxSessionFactory
{
    public const string CpuProvider = "CPU";

    /// <summary>The fallbacks this process has logged, by reason: each is said once, whichever factory meets it.</summary>
    private static readonly ConcurrentDictionary<string, bool> Reported = new();

    private readonly ILogger logger;
    private readonly Lock gate = new();
    private readonly List<SessionInfo> sessions = [];
    private string? cudaFailure;

    public OnnxSessionFactory(DeviceOptions device, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(device);
        Device = device;
        this.logger = logger ?? NullLogger.Instance;
    }

    public DeviceOptions Device { get; }

    /// <summary>"CUDA:0" or "CPU" — what new sessions get; "CPU (CUDA unavailable: …)" after a fallback.</summary>
    public string ProviderDescription
    {
        get
        {
            lock (gate)
            {
                return !Device.UseCuda ? CpuProvider
                    : cudaFailure is not null ? $"{CpuProvider} (CUDA unavailable: {cudaFailure})"
                    : CudaProvider;
            }
        }
    }

    public IReadOnlyList<SessionInfo> Sessions
    {
        get
        {
            lock (gate)
            {
                return [.. sessions];
            }
        }
    }

    private string CudaProvider => $"CUDA:{Device.DeviceId}";

    private bool WantsCuda
    {
        get
        {
            lock (gate)
            {
                return Device.UseCuda && cudaFailure is null;
            }
        }
    }

    public InferenceSession Create(string modelPath, string role)
    {
        if (!File.Exists(modelPath))
        {
            throw new FileNotFoundException($"the {role} model file does not exist: {modelPath}", modelPath);
        }

        return Create(options => new InferenceSession(modelPath, options), role, modelPath);
    }

    public InferenceSession Create(byte[] model, string role)
    {
        ArgumentNullException.ThrowIfNull(model);
        return Create(options => new InferenceSession(model, options), role, $"<{model.Length} bytes in memory>");
    }

    private InferenceSession Create(Func<SessionOptions, InferenceSession> open, string role, string source)
    {
        if (WantsCuda && TryCudaOptions() is { } cudaOptions)
        {
            using (cudaOptions)
            {
                try
                {
                    return Record(open(cudaOptions), role, source, CudaProvider);
                }
                catch (OnnxRuntimeException cudaError)
                {
                    // Only blame CUDA if the same model opens on the CPU.
                    using var cpuOptions = CpuOptions();
                    var session = open(cpuOptions);
                    FallBack(cudaError);
                    return Record(session, role, source, CpuProvider);
                }
            }
        }

        using var options = CpuOptions();
        return Record(open(options), role, source, CpuProvider);
    }

    /// <summary>Whether CUDA's provider loads here, for this factory's device; a failure is logged once and the factory falls back.</summary>
    public bool CudaLoads()
    {
        if (!WantsCuda)
        {
            return false;
        }

        using var options = TryCudaOptions();
        return options is not null;
    }

    private SessionOptions? TryCudaOptions()
    {
        var options = CpuOptions();
        // A failure here is reported once, with the fallback (FallBack); ONNX Runtime's own error line would repeat it.
        var env = OrtEnv.Instance();
        var level = env.EnvLogLevel;
        env.EnvLogLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL;
        try
        {
            options.AppendExecutionProvider_CUDA(Device.DeviceId);
            return options;
        }
        catch (OnnxRuntimeException e)
        {
            options.Dispose();
            FallBack(e);
            return null;
        }
        finally
        {
            env.EnvLogLevel = level;
        }
    }

    private SessionOptions CpuOptions()
    {
        var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
        if (Device.IntraOpThreads > 0)
        {
            options.IntraOpNumThreads = Device.IntraOpThreads;
        }

        return options;
    }

    private void FallBack(OnnxRuntimeException error)
    {
        var reason = Reason(error);
        lock (gate)
        {
            if (cudaFailure is not null)
            {
                return;
            }

            cudaFailure = reason;
        }

        if (Reported.TryAdd($"{Device.DeviceId} {reason}", true))
        {
            logger.LogWarning("CUDA unavailable on device {DeviceId} ({Reason}): running on CPU", Device.DeviceId, reason);
        }
        else
        {
            logger.LogDebug("CUDA unavailable on device {DeviceId} ({Reason}): running on CPU", Device.DeviceId, reason);
        }
    }

    /// <summary>
    /// Why CUDA failed, in a person's words. ONNX Runtime only says that the provider's library did not load; the
    /// dynamic loader says which library it lacks (the CUDA runtime, cuBLAS, cuDNN: what to install).
    /// </summary>
    internal static string Reason(OnnxRuntimeException error)
    {
        var message = OrtPrefix().Replace(error.Message.Trim(), "");
        if (!message.Contains("Failed to load shared library", StringComparison.OrdinalIgnoreCase))
        {
            return message;
        }

        return MissingLibrary() is { } missing ? $"{missing} not found" : "its provider library does not load";
    }

    /// <summary>The first library the CUDA provider needs that the loader cannot find, or null.</summary>
    private static string? MissingLibrary()
    {
        const string provider = "libonnxruntime_providers_cuda.so";
        var path = new[]
            {
                Path.Combine(AppContext.BaseDirectory, "runtimes", RuntimeInformation.RuntimeIdentifier, "native", provider),
                Path.Combine(AppContext.BaseDirectory, "runtimes", $"linux-{RuntimeInformation.OSArchitecture.ToString().ToLowerInvariant()}", "native", provider),
                Path.Combine(AppContext.BaseDirectory, provider),
            }
            .FirstOrDefault(File.Exists);
        if (path is null)
        {
            return provider;
        }

        try
        {
            NativeLibrary.Free(NativeLibrary.Load(path));
            return null;
        }
        catch (DllNotFoundException e)
        {
            var lacking = LoaderMissing().Match(e.Message);
            return lacking.Success ? lacking.Groups[1].Value : null;
        }
    }

    [GeneratedRegex(@"^\[ErrorCode:\w+\]\s*(OrtSessionOptionsAppendExecutionProvider_\w+:\s*)?")]
    private static partial Regex OrtPrefix();

    [GeneratedRegex(@"([\w.+-]+\.so[\w.]*): cannot open shared object file")]
    private static partial Regex LoaderMissing();

    private InferenceSession Record(InferenceSession session, string role, string source, string provider)
    {
        lock (gate)
        {
            sessions.Add(new SessionInfo(role, source, provider));
        }

        return session;
    }
}
