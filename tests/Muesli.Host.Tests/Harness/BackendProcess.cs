using System.Diagnostics;
using System.Reflection;
using System.Text;
using System.Text.Json;

namespace Muesli.Host.Tests;

[AttributeUsage(AttributeTargets.Assembly)]
public sealed class BuildConfigurationAttribute(string configuration) : Attribute
{
    public string Configuration { get; } = configuration;
}

/// <summary>
/// A real <c>muesli backend</c> process: frames go to its stdin, its stdout is read as JSONL, its stderr kept as its
/// log. Nothing is shared with it but those three pipes and its output folder.
/// </summary>
public sealed class BackendProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly Stopwatch _clock;
    private readonly List<string> _lines = [];
    private readonly List<TimeSpan> _lineTimes = [];
    private readonly StringBuilder _stderr = new();
    private readonly List<(TimeSpan At, string Line)> _logLines = [];
    private readonly Task _stdoutPump;
    private readonly Task _stderrPump;

    private BackendProcess(Process process, Stopwatch clock)
    {
        _process = process;
        _clock = clock;
        _stdoutPump = Task.Run(async () =>
        {
            while (await process.StandardOutput.ReadLineAsync() is { } line)
            {
                lock (_lines)
                {
                    _lines.Add(line);
                    _lineTimes.Add(clock.Elapsed);
                }
            }
        });
        // MUESLI_TEST_LOGS=DIR: each process's log also goes to DIR/<pid>.log as it is written, to watch a long test.
        var tee = Environment.GetEnvironmentVariable("MUESLI_TEST_LOGS") is { Length: > 0 } logs
            ? new StreamWriter(Path.Combine(logs, $"{process.Id}.log")) { AutoFlush = true }
            : null;
        _stderrPump = Task.Run(async () =>
        {
            using var teeing = tee;
            while (await process.StandardError.ReadLineAsync() is { } line)
            {
                tee?.WriteLine(line);
                lock (_stderr)
                {
                    _stderr.AppendLine(line);
                    _logLines.Add((clock.Elapsed, line));
                }
            }
        });
    }

    public static string RepositoryRoot { get; } = FindRoot();

    /// <summary>The built <c>muesli.dll</c> of the same configuration as these tests.</summary>
    public static string MuesliDll { get; } = Path.Combine(
        RepositoryRoot,
        "src",
        "Muesli.Host",
        "bin",
        typeof(BackendProcess).Assembly.GetCustomAttribute<BuildConfigurationAttribute>()!.Configuration,
        "net10.0",
        "muesli.dll");

    public Stream Stdin => _process.StandardInput.BaseStream;

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public string Stderr
    {
        get
        {
            lock (_stderr)
            {
                return _stderr.ToString();
            }
        }
    }

    /// <summary>Every line written to stdout so far, as written.</summary>
    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (_lines)
            {
                return _lines.ToArray();
            }
        }
    }

    public IReadOnlyList<JsonElement> Events => Lines.Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToArray();

    /// <summary>Time since the process was started, on the clock of <see cref="LineTimes"/> and <see cref="LogTime"/>.</summary>
    public TimeSpan Elapsed => _clock.Elapsed;

    /// <summary>When each line of <see cref="Lines"/> arrived, since the process was started.</summary>
    public IReadOnlyList<TimeSpan> LineTimes
    {
        get
        {
            lock (_lines)
            {
                return _lineTimes.ToArray();
            }
        }
    }

    /// <summary>When the first log line holding <paramref name="text"/> arrived, or null if none has.</summary>
    public TimeSpan? LogTime(string text)
    {
        lock (_stderr)
        {
            foreach (var (at, line) in _logLines)
            {
                if (line.Contains(text, StringComparison.Ordinal))
                {
                    return at;
                }
            }

            return null;
        }
    }

    /// <summary>Waits until a log line holds <paramref name="text"/>; returns when it arrived.</summary>
    public async Task<TimeSpan> WaitForLogAsync(string text, TimeSpan limit)
    {
        var deadline = DateTime.UtcNow + limit;
        while (DateTime.UtcNow < deadline && !_process.HasExited)
        {
            if (LogTime(text) is { } at)
            {
                return at;
            }

            await Task.Delay(10);
        }

        return LogTime(text) ?? throw new TimeoutException($"no log line holds '{text}'; stderr:\n{Stderr}");
    }

    /// <summary>Starts <c>muesli {command} {args}</c>; the command is <c>backend</c> unless another (or "": none) is named.</summary>
    public static BackendProcess Start(IEnumerable<string> args, IReadOnlyDictionary<string, string?>? environment = null, string command = "backend")
    {
        if (!File.Exists(MuesliDll))
        {
            throw new FileNotFoundException($"muesli is not built at {MuesliDll}; build the solution first");
        }

        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
        };
        info.ArgumentList.Add(MuesliDll);
        if (command.Length > 0)
        {
            info.ArgumentList.Add(command);
        }

        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment.Remove("MUESLI_MODELS");
        foreach (var (key, value) in environment ?? new Dictionary<string, string?>())
        {
            info.Environment[key] = value;
        }

        var clock = Stopwatch.StartNew();
        return new BackendProcess(Process.Start(info) ?? throw new InvalidOperationException("could not start muesli"), clock);
    }

    /// <summary>Writes <paramref name="bytes"/> and flushes them, so the process can read them at once.</summary>
    public async Task SendAsync(byte[] bytes)
    {
        await Stdin.WriteAsync(bytes);
        await Stdin.FlushAsync();
    }

    public void CloseInput() => _process.StandardInput.Close();

    /// <summary>Waits for the process to end by itself; fails the test with its log if it does not.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan limit)
    {
        using var cancel = new CancellationTokenSource(limit);
        try
        {
            await _process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            Kill();
            throw new TimeoutException($"muesli did not exit within {limit}; its log:\n{Stderr}");
        }

        await Task.WhenAll(_stdoutPump, _stderrPump);
        return _process.ExitCode;
    }

    /// <summary>Waits until stdout holds an event matching <paramref name="predicate"/>.</summary>
    public async Task<JsonElement> WaitForEventAsync(Func<JsonElement, bool> predicate, TimeSpan limit)
    {
        var deadline = DateTime.UtcNow + limit;
        while (DateTime.UtcNow < deadline)
        {
            foreach (var e in Events)
            {
                if (predicate(e))
                {
                    return e;
                }
            }

            if (_process.HasExited)
            {
                break;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"no matching event; stdout:\n{string.Join('\n', Lines.TakeLast(20))}\nstderr:\n{Stderr}");
    }

    /// <summary>SIGKILL: no chance to flush or finalize.</summary>
    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }
    }

    /// <summary>Resident memory of the process, from /proc.</summary>
    public long? ResidentBytes()
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{_process.Id}/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                {
                    return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024;
                }
            }
        }
        catch (IOException)
        {
        }

        return null;
    }

    public async ValueTask DisposeAsync()
    {
        Kill();
        await Task.WhenAll(_stdoutPump, _stderrPump).WaitAsync(TimeSpan.FromSeconds(10)).ContinueWith(_ => { });
        _process.Dispose();
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Muesli.Actors.sln")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException($"no Muesli.Actors.sln above {AppContext.BaseDirectory}");
    }
}
