using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using Microsoft.ML.OnnxRuntime;
using Muesli.Inference.Tests.ModelBuilding;
using Onnx;

namespace Muesli.Inference.Tests;

public sealed class OnnxSessionFactoryTests
{
    // y = x + 1 over a dynamic vector: enough to prove a session really runs.
    private static byte[] AddOne() => new OnnxGraph()
        .Input("x", TensorProto.Types.DataType.Float, "n")
        .Floats("one", [1], [1f])
        .Node("Add", ["x", "one"], "y")
        .Output("y", TensorProto.Types.DataType.Float, "n")
        .ToBytes();

    private static float[] Run(InferenceSession session, float[] x)
    {
        using var input = OrtValue.CreateTensorValueFromMemory(x, [x.Length]);
        using var runOptions = new RunOptions();
        using var outputs = session.Run(runOptions, ["x"], [input], ["y"]);
        return outputs[0].GetTensorDataAsSpan<float>().ToArray();
    }

    [Fact]
    public void Cpu_session_runs_and_is_recorded_as_cpu()
    {
        var factory = new OnnxSessionFactory(DeviceOptions.Cpu);

        using var session = factory.Create(AddOne(), "adder");

        Assert.Equal([2f, 3.5f], Run(session, [1f, 2.5f]));
        Assert.Equal("CPU", factory.ProviderDescription);
        var info = Assert.Single(factory.Sessions);
        Assert.Equal("adder", info.Role);
        Assert.Equal("CPU", info.Provider);
    }

    [Fact]
    public void Sessions_from_files_record_the_path_and_honour_thread_settings()
    {
        var path = Path.Combine(Path.GetTempPath(), $"muesli-add-one-{Guid.NewGuid():N}.onnx");
        File.WriteAllBytes(path, AddOne());
        try
        {
            var factory = new OnnxSessionFactory(DeviceOptions.Cpu with { IntraOpThreads = 1 });

            using var session = factory.Create(path, "adder");

            Assert.Equal([0f], Run(session, [-1f]));
            Assert.Equal(new SessionInfo("adder", path, "CPU"), Assert.Single(factory.Sessions));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Missing_model_file_is_named()
    {
        var factory = new OnnxSessionFactory(DeviceOptions.Cpu);

        var error = Assert.Throws<FileNotFoundException>(() => factory.Create("/nowhere/model.onnx", "encoder"));

        Assert.Contains("/nowhere/model.onnx", error.Message);
        Assert.Contains("encoder", error.Message);
        Assert.Empty(factory.Sessions);
    }

    [Fact]
    public void Cuda_without_its_libraries_falls_back_to_cpu_with_one_warning()
    {
        // The CUDA provider of ONNX Runtime 1.31 needs CUDA 13's cuBLASLt; without it, CUDA cannot work here.
        var cudaLoadable = NativeLibrary.TryLoad("libcublasLt.so.13", out var handle);
        if (cudaLoadable)
        {
            NativeLibrary.Free(handle);
        }

        var logger = new RecordingLogger();
        var factory = new OnnxSessionFactory(new DeviceOptions { UseCuda = true, DeviceId = 0 }, logger);

        using var first = factory.Create(AddOne(), "first");
        using var second = factory.Create(AddOne(), "second");

        Assert.Equal([2f], Run(first, [1f]));
        Assert.Equal([5f], Run(second, [4f]));
        if (cudaLoadable)
        {
            // A machine with CUDA: whatever the provider, the record and the description must agree.
            var provider = factory.ProviderDescription.StartsWith("CPU", StringComparison.Ordinal) ? "CPU" : "CUDA:0";
            Assert.All(factory.Sessions.Skip(1), s => Assert.Equal(provider, s.Provider));
            Assert.True(logger.Warnings.Count <= 1);
            return;
        }

        Assert.Equal(["CPU", "CPU"], factory.Sessions.Select(s => s.Provider));
        Assert.StartsWith("CPU (CUDA unavailable: ", factory.ProviderDescription, StringComparison.Ordinal);
        // Said once per process and reason: another factory of this test run may have said it first.
        var warning = Assert.Single(logger.Warnings.Concat(logger.Debugs));
        Assert.Matches(@"^CUDA unavailable on device 0 \(.+\): running on CPU$", warning);
        Assert.True(logger.Warnings.Count <= 1);

        var again = new RecordingLogger();
        using var third = new OnnxSessionFactory(new DeviceOptions { UseCuda = true, DeviceId = 0 }, again).Create(AddOne(), "third");
        Assert.Empty(again.Warnings);
    }

    private sealed class RecordingLogger : ILogger
    {
        public List<string> Warnings { get; } = [];

        public List<string> Debugs { get; } = [];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (logLevel == LogLevel.Warning)
            {
                Warnings.Add(formatter(state, exception));
            }
            else if (logLevel == LogLevel.Debug)
            {
                Debugs.Add(formatter(state, exception));
            }
        }
    }
}
