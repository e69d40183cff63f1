using Akka.Actor;
using Muesli.Actors.Hosting;
using Muesli.Actors.Inference;
using Muesli.Core.Windows;
using Muesli.Inference;
using Xunit;
using Xunit.Abstractions;
using static Muesli.Actors.Inference.WorkerMessages;

namespace Muesli.Actors.Tests;

public sealed class InferenceWorkerSpec(ITestOutputHelper output) : MuesliSpec(output)
{
    [Fact]
    public void A_worker_is_loading_until_its_pipeline_is_built_then_registers_with_the_provider_it_got()
    {
        var router = CreateTestProbe();
        using var built = new ManualResetEventSlim();
        var slot = new WorkerSlot("cuda:0", "CUDA:0", () =>
        {
            built.Wait();
            return new OneWordPipeline();
        })
        {
            LoadedProvider = () => "CPU (CUDA unavailable: test)",
        };

        var worker = Sys.ActorOf(InferenceWorker.Props(slot, router.Ref));
        Assert.Equal(new WorkerLoading("cuda:0", "CUDA:0"), router.ExpectMsg<WorkerLoading>());
        router.ExpectNoMsg(TimeSpan.FromMilliseconds(300));

        built.Set();
        Assert.Equal(new RegisterWorker("cuda:0", "CPU (CUDA unavailable: test)"), router.ExpectMsg<RegisterWorker>());
        var request = new ChunkRequest("m1/system", 1, new Window(0, 32000, 0, false), WorkPriority.Live, router.Ref);
        router.Send(worker, new Run(request));

        // The worker pulls the audio from the requester (here the router's probe), then runs.
        Assert.Equal(new FetchAudio("m1/system", WorkPriority.Live, 1), router.ExpectMsg<FetchAudio>());
        AudioPieces.Send(worker, request, new float[16000], router.Ref);
        var done = router.ExpectMsg<RunSucceeded>();
        Assert.Equal("w", Assert.Single(done.Result.Words).Text);
        Assert.Equal(1.0, done.Result.Duration);
    }

    [Fact]
    public void A_worker_whose_pipeline_cannot_be_built_tells_the_router_why_and_stops()
    {
        var router = CreateTestProbe();
        var slot = new WorkerSlot("cpu", "CPU", () => throw new InvalidOperationException("models_unavailable: the encoder is no ONNX model"));

        var worker = Sys.ActorOf(InferenceWorker.Props(slot, router.Ref));
        Watch(worker);
        router.ExpectMsg<WorkerLoading>();
        Assert.Equal(new WorkerFailed("cpu", "models_unavailable: the encoder is no ONNX model"), router.ExpectMsg<WorkerFailed>());
        ExpectTerminated(worker);
    }

    /// <summary>Hears one word in every window.</summary>
    private sealed class OneWordPipeline : ITranscriptionPipeline
    {
        public PipelineResult Run(ReadOnlySpan<float> window16k, double timestampOffset)
            => Result(timestampOffset, window16k.Length / 16000.0, new Core.Transcripts.Word("w", timestampOffset, timestampOffset + 0.5));

        public void Dispose()
        {
        }
    }
}
