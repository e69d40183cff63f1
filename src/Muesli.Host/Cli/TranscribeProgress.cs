using System.Diagnostics;
using System.Globalization;
using Spectre.Console;

namespace Muesli.Host.Cli;

/// <summary>How far one file has come: read from disk, then through the final pass.</summary>
public sealed class FileProgress(string name, double? seconds)
{
    private readonly Stopwatch _clock = new();
    private double _read;
    private double _passed;

    public string Name { get; } = name;

    /// <summary>The recording's length: known from its header, else what has been read so far.</summary>
    public double Seconds => seconds ?? _read;

    public string Stage { get; private set; } = "waiting";

    public bool Finished { get; private set; }

    public TimeSpan Elapsed => _clock.Elapsed;

    /// <summary>Audio seconds done: reading counts a fifth, the final pass the rest (it is where the time goes).</summary>
    public double Done => Finished ? Seconds : (0.2 * Math.Min(_read, Seconds)) + (0.8 * Math.Min(_passed, Seconds));

    public void Started()
    {
        _clock.Start();
        Stage = "reading";
    }

    public void Read(double seconds) => Volatile.Write(ref _read, seconds);

    public void Reached(string stage) => Stage = stage;

    public void Passed(double seconds)
    {
        Volatile.Write(ref _passed, seconds);
        Stage = "transcribing";
    }

    public void Finish(string outcome)
    {
        _clock.Stop();
        Finished = true;
        Stage = outcome;
    }

    /// <summary>Audio seconds per wall second so far (the inverse of the real-time factor).</summary>
    public double Speed => _clock.Elapsed.TotalSeconds > 0 ? Done / _clock.Elapsed.TotalSeconds : 0;

    public TimeSpan? Remaining => Done > 0 && Speed > 0 && !Finished ? TimeSpan.FromSeconds((Seconds - Done) / Speed) : null;

    public string Line()
    {
        var percent = Seconds > 0 ? Done / Seconds : 0;
        var eta = Remaining is { } r ? $", about {Clock(r)} left" : "";
        return string.Create(
            CultureInfo.InvariantCulture,
            $"{Name}: {Stage} {percent:P0} ({Done:F0}/{Seconds:F0} s of audio, {Speed:F1}x real time{eta})");
    }

    public static string Clock(TimeSpan t) => t.TotalHours >= 1 ? t.ToString(@"h\:mm\:ss", CultureInfo.InvariantCulture) : t.ToString(@"m\:ss", CultureInfo.InvariantCulture);
}

/// <summary>
/// Shows files' progress on stderr: a live progress bar on a terminal, a plain line per file at most every 5 s
/// otherwise, nothing with <c>--quiet</c>.
/// </summary>
public abstract class ProgressDisplay
{
    public static ProgressDisplay Create(bool quiet, TimeSpan? interval = null)
        => quiet ? new Silent()
            : Console.IsErrorRedirected ? new PlainLines(interval ?? TimeSpan.FromSeconds(5))
            : new Bar();

    /// <summary>Runs <paramref name="work"/> while showing <paramref name="files"/>.</summary>
    public abstract Task<T> RunAsync<T>(IReadOnlyList<FileProgress> files, Func<Task<T>> work);

    /// <summary>A line that is not progress (a file written, a failure) printed without tearing the display.</summary>
    public abstract void Note(string line);

    private sealed class Silent : ProgressDisplay
    {
        public override Task<T> RunAsync<T>(IReadOnlyList<FileProgress> files, Func<Task<T>> work) => work();

        public override void Note(string line)
        {
        }
    }

    private sealed class PlainLines(TimeSpan interval) : ProgressDisplay
    {
        public override async Task<T> RunAsync<T>(IReadOnlyList<FileProgress> files, Func<Task<T>> work)
        {
            var running = work();
            var shown = new Dictionary<FileProgress, double>();
            while (await Task.WhenAny(running, Task.Delay(interval)) != running)
            {
                foreach (var file in files.Where(f => f.Elapsed > TimeSpan.Zero && !f.Finished))
                {
                    // A file that has not moved since its last line is not repeated.
                    if (shown.GetValueOrDefault(file, -1) != file.Done)
                    {
                        shown[file] = file.Done;
                        Note(file.Line());
                    }
                }
            }

            return await running;
        }

        public override void Note(string line) => Console.Error.WriteLine(line);
    }

    private sealed class Bar : ProgressDisplay
    {
        private readonly IAnsiConsole _console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.Yes,
            ColorSystem = ColorSystemSupport.Detect,
            Interactive = InteractionSupport.Yes,
            Out = new AnsiConsoleOutput(Console.Error),
        });

        public override async Task<T> RunAsync<T>(IReadOnlyList<FileProgress> files, Func<Task<T>> work)
        {
            return await _console.Progress()
                .AutoClear(false)
                .HideCompleted(false)
                .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpeedColumn())
                .StartAsync(async context =>
                {
                    var tasks = files.Select(f => (File: f, Task: context.AddTask(Markup.Escape(f.Name), autoStart: false, maxValue: Math.Max(1, f.Seconds)))).ToArray();
                    var running = work();
                    do
                    {
                        foreach (var (file, task) in tasks)
                        {
                            if (file.Elapsed > TimeSpan.Zero && !task.IsStarted)
                            {
                                task.StartTask();
                            }

                            task.MaxValue = Math.Max(1, file.Seconds);
                            task.Value = file.Done;
                            task.Description = Markup.Escape($"{file.Name} {file.Stage}");
                            if (file.Finished)
                            {
                                task.StopTask();
                            }
                        }

                        context.Refresh();
                    }
                    while (await Task.WhenAny(running, Task.Delay(250)) != running);

                    foreach (var (file, task) in tasks)
                    {
                        task.Value = file.Done;
                        task.Description = Markup.Escape($"{file.Name} {file.Stage}");
                        task.StopTask();
                    }

                    return await running;
                });
        }

        public override void Note(string line) => _console.MarkupLine(Markup.Escape(line));
    }

    /// <summary>Audio seconds per wall second, as "12.3x".</summary>
    private sealed class SpeedColumn : ProgressColumn
    {
        public override Spectre.Console.Rendering.IRenderable Render(Spectre.Console.Rendering.RenderOptions options, ProgressTask task, TimeSpan deltaTime)
            => new Text(task.Speed is { } speed ? string.Create(CultureInfo.InvariantCulture, $"{speed:F1}x real time") : "");
    }
}
