using System.Diagnostics;
using System.Text.Json.Nodes;
using Xunit;

namespace Muesli.Host.Tests;

/// <summary><c>models/fetch.sh</c> when the download fails: what to do, said; nothing half-done left behind.</summary>
public sealed class ModelsFetchTests
{
    [Fact]
    public async Task A_failed_download_says_what_to_check_and_leaves_no_empty_folder()
    {
        using var dir = new TempDir();
        // The script reads the manifest beside it: a copy whose every URL points at a closed local port.
        var script = Path.Combine(dir, "fetch.sh");
        File.Copy(Path.Combine(BackendProcess.RepositoryRoot, "models", "fetch.sh"), script);
        var manifest = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(BackendProcess.RepositoryRoot, "models", "models.json")))!;
        foreach (var file in manifest["models"]!.AsArray().SelectMany(m => m!["files"]!.AsArray()))
        {
            if (file!["url"] is not null)
            {
                file["url"] = $"http://127.0.0.1:9/{file["name"]}";
            }
        }

        await File.WriteAllTextAsync(Path.Combine(dir, "models.json"), manifest.ToJsonString());
        var target = Path.Combine(dir, "out", "models");

        var info = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { script, "--dir", target })
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["MUESLI_FETCH_RETRIES"] = "0";
        info.Environment["HTTPS_PROXY"] = "http://127.0.0.1:9";
        info.Environment.Remove("MUESLI_MODELS");
        using var fetch = Process.Start(info)!;
        var stderr = fetch.StandardError.ReadToEndAsync();
        var stdout = fetch.StandardOutput.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await fetch.WaitForExitAsync(cancel.Token);
        var said = await stderr;
        await stdout;

        Assert.NotEqual(0, fetch.ExitCode);
        Assert.Contains("download of http://127.0.0.1:9/", said);
        Assert.Contains("HTTPS_PROXY (now: http://127.0.0.1:9)", said);
        Assert.Contains("run the same command again", said);
        // The first model fetched is the first of the defaults: its files are listed for placing by hand.
        var id = manifest["defaults"]!.AsObject().First().Value!.GetValue<string>();
        var first = manifest["models"]!.AsArray().First(m => m!["id"]!.GetValue<string>() == id)!;
        foreach (var file in first["files"]!.AsArray())
        {
            Assert.Contains($"{target}/{first["directory"]}/{file!["name"]}  sha256 {file["sha256"]}", said);
        }

        Assert.False(Directory.Exists(Path.Combine(dir, "out")), "the failed run left folders behind: " + string.Join(", ", Directory.GetFileSystemEntries(dir, "*", SearchOption.AllDirectories)));
    }
}
