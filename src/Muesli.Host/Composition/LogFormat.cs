using System.Globalization;
using Akka.Actor;
using Akka.DependencyInjection;
using Akka.Dispatch;
using Akka.Event;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;
using Muesli.Actors.Operations;
using LogLevel = Microsoft.Extensions.Logging.LogLevel;

namespace Muesli.Host.Composition;

/// <summary>
/// The one format of every line on stderr: <c>HH:mm:ss.fff level category: message</c>, e.g.
/// <c>10:01:47.150 warn Muesli.Inference.OnnxSessionFactory: CUDA unavailable (…): running on CPU</c>. The level is
/// one of <see cref="Levels"/>; a message or an exception that spans lines is folded onto its one line.
/// </summary>
public static class LogFormat
{
    public const string Name = "muesli";

    /// <summary>The level names, by <see cref="LogLevel"/> (Trace … Critical).</summary>
    public static readonly IReadOnlyList<string> Levels = ["trce", "dbug", "info", "warn", "fail", "crit"];

    /// <summary>A line in this format, for tests and tools that read the logs back.</summary>
    public const string Pattern = @"^\d{2}:\d{2}:\d{2}\.\d{3} (trce|dbug|info|warn|fail|crit) [^ :]+: ";

    public static string Line(DateTimeOffset time, LogLevel level, string category, string message, Exception? exception = null)
    {
        var text = exception is null ? message : $"{message} — {exception}";
        return string.Create(
            CultureInfo.InvariantCulture,
            $"{time.ToLocalTime():HH:mm:ss.fff} {Levels[Math.Clamp((int)level, 0, Levels.Count - 1)]} {category}: {Fold(text)}");
    }

    /// <summary>One line: line breaks become spaces.</summary>
    private static string Fold(string text)
        => text.Contains('\n', StringComparison.Ordinal) || text.Contains('\r', StringComparison.Ordinal)
            ? string.Join(' ', text.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            : text;
}

/// <summary>The console formatter that writes <see cref="LogFormat"/> lines.</summary>
public sealed class LogFormatter() : ConsoleFormatter(LogFormat.Name)
{
    public override void Write<TState>(in LogEntry<TState> logEntry, IExternalScopeProvider? scopeProvider, TextWriter textWriter)
    {
        var message = logEntry.Formatter(logEntry.State, logEntry.Exception);
        if (string.IsNullOrEmpty(message) && logEntry.Exception is null)
        {
            return;
        }

        textWriter.Write(LogFormat.Line(DateTimeOffset.Now, logEntry.LogLevel, logEntry.Category, message, logEntry.Exception));
        textWriter.Write('\n');
    }
}

/// <summary>No options: the format is fixed.</summary>
public sealed class LogFormatterOptions : ConsoleFormatterOptions
{
}

/// <summary>
/// What Akka prints by itself, without the loggers (<c>akka.stdout-logger-class</c>): while the actor system starts
/// and after its loggers have stopped ("Remoting shut down"). Written in <see cref="LogFormat"/> to stderr, from
/// <see cref="MinimumLevel"/> up, like the loggers' own lines.
/// </summary>
public sealed class AkkaStderrLogger : MinimalLogger
{
    /// <summary>Set by <see cref="NodeHost"/>: the level its Akka lines start at.</summary>
    public static volatile int MinimumLevel = (int)LogLevel.Warning;

    protected override void Log(object message)
    {
        if (message is not LogEvent e)
        {
            return;
        }

        var level = e.LogLevel() switch
        {
            Akka.Event.LogLevel.DebugLevel => LogLevel.Debug,
            Akka.Event.LogLevel.InfoLevel => LogLevel.Information,
            Akka.Event.LogLevel.WarningLevel => LogLevel.Warning,
            _ => LogLevel.Error,
        };
        if ((int)level < MinimumLevel)
        {
            return;
        }

        var category = e.LogClass?.FullName ?? "Akka";
        Console.Error.WriteLine(LogFormat.Line(e.Timestamp, level, category, $"{e.LogSource}: {e.Message}", e.Cause));
    }
}

/// <summary>
/// The actor system's logger: each of its events goes to the host's <see cref="ILoggerFactory"/>, under the class
/// that logged it (<c>Akka.Remote.Remoting</c>, <c>Muesli.Actors.…</c>), with its own message and nothing of Akka's
/// line prefix, so that it reads like every other line. The level is Akka's <c>loglevel</c>, set by <see cref="NodeHost"/>.
/// </summary>
public sealed class AkkaLogger : ReceiveActor, IRequiresMessageQueue<ILoggerMessageQueueSemantics>
{
    private readonly ILoggerFactory _factory;

    public AkkaLogger()
    {
        _factory = DependencyResolver.For(Context.System).Resolver.GetService<ILoggerFactory>();
        Receive<InitializeLogger>(_ => Sender.Tell(new LoggerInitialized()));
        Receive<LogEvent>(Log);
    }

    private void Log(LogEvent e)
    {
        var level = e.LogLevel() switch
        {
            Akka.Event.LogLevel.DebugLevel => LogLevel.Debug,
            Akka.Event.LogLevel.InfoLevel => LogLevel.Information,
            Akka.Event.LogLevel.WarningLevel => LogLevel.Warning,
            _ => LogLevel.Error,
        };
        var named = e.LogClass is { } type && type != typeof(DummyClassForStringSources);
        if (level >= LogLevel.Information && CmdProtocol.IsConsoleGoingAway(e.LogSource, e.Message?.ToString()))
        {
            level = LogLevel.Debug;
        }

        var logger = _factory.CreateLogger(named ? e.LogClass!.FullName ?? "Akka" : "Akka");
        var message = named ? e.Message?.ToString() : $"{e.LogSource}: {e.Message}";
        logger.Log(level, e.Cause, "{Message}", message);
    }
}
