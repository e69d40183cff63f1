using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Muesli.Actors.Hosting;

namespace Muesli.Host.Composition;

/// <summary>
/// Builds the generic host of a node: logging on stderr (stdout belongs to the protocol), every line in
/// <see cref="LogFormat"/> — ours, Akka's through its loggers and what Akka prints by itself — and the actor system.
/// </summary>
public static class NodeHost
{
    public static ILoggerFactory CreateLogging(bool verbose) => LoggerFactory.Create(b => ConfigureLogging(b, verbose));

    /// <summary>Logging on stderr from <paramref name="minimum"/> up (a command that reports on its own keeps the info lines off).</summary>
    public static ILoggerFactory CreateLogging(bool verbose, LogLevel minimum) => LoggerFactory.Create(b =>
    {
        ConfigureLogging(b, verbose);
        b.SetMinimumLevel(minimum);
    });

    /// <param name="akkaInfo">
    /// Also log Akka's INFO lines: a cluster node's membership, shard and singleton moves, and its actors' own news
    /// (a stream opened or recovered, a worker ready), which an operator of a cluster needs. The backend keeps
    /// them off.
    /// </param>
    /// <param name="configure">Adds to the actor system before the node does (the node's <c>--config</c> still wins).</param>
    /// <param name="minimum">The least level logged at all (a command that reports on its own raises it); null: by <paramref name="verbose"/>.</param>
    public static IHost Build(MuesliNodeOptions node, bool verbose, bool akkaInfo = false, Action<AkkaConfigurationBuilder>? configure = null, LogLevel? minimum = null)
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.ClearProviders();
        ConfigureLogging(builder.Logging, verbose, akkaInfo);
        if (minimum is { } least)
        {
            builder.Logging.SetMinimumLevel(least);
            builder.Logging.AddFilter("Akka", least > LogLevel.Warning ? least : LogLevel.Warning);
        }

        builder.Services.AddAkka(node.SystemName, (akka, _) =>
        {
            akka.ConfigureLoggers(loggers =>
            {
                loggers.LogLevel = verbose ? Akka.Event.LogLevel.DebugLevel : akkaInfo ? Akka.Event.LogLevel.InfoLevel : Akka.Event.LogLevel.WarningLevel;
                loggers.ClearLoggers();
                loggers.AddLogger<AkkaLogger>();
            });
            // What Akka prints without its loggers (while it starts, after they stop) goes to stderr in the same
            // format; nothing of it may reach stdout.
            AkkaStderrLogger.MinimumLevel = (int)AkkaLevel(verbose, akkaInfo);
            akka.AddHocon(
                $"""
                akka.stdout-logger-class = "{typeof(AkkaStderrLogger).AssemblyQualifiedName}"
                akka.stdout-loglevel = {(verbose ? "DEBUG" : akkaInfo ? "INFO" : "WARNING")}
                """,
                HoconAddMode.Prepend);
            configure?.Invoke(akka);
            akka.WithMuesli(node);
        });
        return builder.Build();
    }

    private static void ConfigureLogging(ILoggingBuilder logging, bool verbose, bool akkaInfo = false)
    {
        logging.SetMinimumLevel(verbose ? LogLevel.Debug : LogLevel.Information);
        logging.AddFilter("Akka", AkkaLevel(verbose, akkaInfo));
        logging.AddFilter("Microsoft", LogLevel.Warning);
        logging.AddConsole(o =>
        {
            o.FormatterName = LogFormat.Name;
            o.LogToStandardErrorThreshold = LogLevel.Trace;
        });
        logging.AddConsoleFormatter<LogFormatter, LogFormatterOptions>();
    }

    private static LogLevel AkkaLevel(bool verbose, bool akkaInfo)
        => verbose ? LogLevel.Debug : akkaInfo ? LogLevel.Information : LogLevel.Warning;
}
