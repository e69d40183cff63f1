using System.Security.Cryptography;
using System.Text.Json;
using Muesli.TestWorld;
using Muesli.TestWorld.StandIns;
using Xunit;
using Xunit.Abstractions;

namespace Muesli.Host.Tests;

/// <summary>
/// Models as large as the real exports take seconds to open; the app tears a meeting down when
/// <c>meeting_started</c> has not come 10 s after START. The backend answers START while the engines load.
/// </summary>
public sealed class BackendLoadTests(RealSizeModelsFolder models, ITestOutputHelper output) : IClassFixture<RealSizeModelsFolder>
{
    /// <summary>What the backend logs once it reads the meeting's frames, before or after its engines are built.</summary>
    private const string Serving = "serving the meeting:";

    /// <summary>What the backend logs once its engines are built.</summary>
    private const string EnginesBuilt = "Muesli.Engines: engines: ";

    private static readonly TimeSpan Answer = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(4);

    [Fact]
    public async Task With_real_size_models_meeting_started_comes_within_2_s_of_start_and_the_meeting_is_transcribed_as_before()
    {
        var start = TimeSpan.Zero;
        await using var backend = await ThreeMinuteMeeting.RunAsync(models.Folder, output, async b => start = await SendStartOnceServingAsync(b));

        var started = backend.LineTimes[0];
        var built = backend.LogTime(EnginesBuilt) ?? throw new InvalidOperationException("the engines were never built");
        output.WriteLine($"process start → serving {backend.LogTime(Serving)!.Value.TotalSeconds:F2} s, START → meeting_started {(started - start).TotalSeconds:F2} s, START → engines built {(built - start).TotalSeconds:F2} s");
        Assert.True(started - start <= Answer, $"meeting_started came {(started - start).TotalSeconds:F2} s after START");
        Assert.True(started < built, "meeting_started waited for the engines");
    }

    [Fact]
    public async Task A_model_that_fails_to_open_is_reported_once_after_meeting_started_and_the_exit_code_is_2()
    {
        using var corrupt = models.CopyWithCorrupt(ToneEmbeddingModel.Id, "model.onnx");
        using var dir = new TempDir();
        var meeting = ToneMeetingGenerator.Generate(new MeetingSpec { DurationSeconds = 30, Speakers = 1, Seed = 3 });

        await using var backend = BackendProcess.Start(["--output-dir", dir, "--models", corrupt, "--keep-pcm"]);
        var start = await SendStartOnceServingAsync(backend);
        await AppClient.FeedAsync(backend.Stdin, AppClient.AudioFrames(meeting, new FeedPlan()));
        await backend.WaitForEventAsync(e => e.GetProperty("type").GetString() == "error", Limit);
        await backend.SendAsync(AppClient.Stop());
        backend.CloseInput();
        var code = await backend.WaitForExitAsync(Limit);
        output.WriteLine(string.Join('\n', backend.Lines));
        output.WriteLine(backend.Stderr);

        Assert.Equal(2, code);
        var events = backend.Events;
        Assert.All(events, e => Assert.Null(EventShapes.Check(e)));
        Assert.Equal("meeting_started", events[0].GetProperty("message").GetString());
        Assert.True(backend.LineTimes[0] - start <= Answer, $"meeting_started came {(backend.LineTimes[0] - start).TotalSeconds:F2} s after START");
        var error = Assert.Single(events.OfType("error")).GetProperty("message").GetString()!;
        Assert.StartsWith("models_unavailable: ", error, StringComparison.Ordinal);
        Assert.Contains(Path.Combine(corrupt, ToneEmbeddingModel.Id, "model.onnx"), error);
        Assert.Equal("meeting_stopped", events[^1].GetProperty("message").GetString());
        Assert.Equal(meeting.Duration * 16000 * 2, new FileInfo(Path.Combine(dir, "system.pcm")).Length, 16000 * 2 * 0.05);
    }

    [Fact]
    public void The_real_size_folder_lists_every_file_with_its_size_and_checksum()
    {
        using var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(models.Folder, "models.json")));
        var sizes = new Dictionary<string, long>();
        foreach (var model in manifest.RootElement.GetProperty("models").EnumerateArray())
        {
            foreach (var file in model.GetProperty("files").EnumerateArray())
            {
                var path = Path.Combine(models.Folder, model.GetProperty("directory").GetString()!, file.GetProperty("name").GetString()!);
                using var stream = File.OpenRead(path);
                Assert.Equal(file.GetProperty("size").GetInt64(), stream.Length);
                Assert.Equal(file.GetProperty("sha256").GetString(), Convert.ToHexStringLower(SHA256.HashData(stream)));
                sizes[Path.GetRelativePath(models.Folder, path)] = stream.Length;
            }
        }

        // The Parakeet TDT v3 int8 export's encoder, decoder and joiner, as models/models.json lists them.
        Assert.Equal(652184281, sizes[Path.Combine(ToneTdtModel.Id, "encoder.onnx")]);
        Assert.Equal(11845275, sizes[Path.Combine(ToneTdtModel.Id, "decoder.onnx")]);
        Assert.Equal(6355277, sizes[Path.Combine(ToneTdtModel.Id, "joiner.onnx")]);
    }

    /// <summary>
    /// Sends START once the backend reads its input, as the app's frames would wait in the pipe until then: starting
    /// the runtime and the actor system costs the same with any models. Returns when START was written.
    /// </summary>
    private static async Task<TimeSpan> SendStartOnceServingAsync(BackendProcess backend)
    {
        await backend.WaitForLogAsync(Serving, Limit);
        var start = backend.Elapsed;
        await backend.SendAsync(AppClient.Start());
        return start;
    }
}
