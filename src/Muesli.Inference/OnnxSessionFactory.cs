using Microsoft.Extensions.Logging;
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
public sealed class OnnxSessionFactory
{
    public OnnxSessionFactory(DeviceOptions device, ILogger? logger = null) => throw new NotImplementedException();

    public DeviceOptions Device => throw new NotImplementedException();

    /// <summary>"CUDA:0" or "CPU" — what new sessions get; "CPU (CUDA unavailable: …)" after a fallback.</summary>
    public string ProviderDescription => throw new NotImplementedException();

    public IReadOnlyList<SessionInfo> Sessions => throw new NotImplementedException();

    public InferenceSession Create(string modelPath, string role) => throw new NotImplementedException();

    public InferenceSession Create(byte[] model, string role) => throw new NotImplementedException();
}
