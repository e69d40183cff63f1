using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Muesli.Actors.Hosting;

namespace Muesli.Host.Composition;

/// <summary>Builds the generic host of a node: logging on stderr (stdout belongs to the protocol) and the actor system.</summary>
public static class NodeHost
{
    public static ILoggerFactory CreateLogging(bool verbose) => LoggerFactory.Create(b => ConfigureLogging(b, verbose));

    /// <summary><paramref name="configure"/> adds to the actor system before the node does (the node's <c>--config</c> still wins).</summary>
    public static IHost Build(MuesliNodeOptions node, bool verbose, Action<AkkaConfigurationBuilder>? configure = null)
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.ClearProviders();
        ConfigureLogging(builder.Logging, verbose);
        builder.Services.AddAkka(node.SystemName, (akka, _) =>
        {
            akka.ConfigureLoggers(loggers =>
            {
                loggers.LogLevel = verbose ? Akka.Event.LogLevel.DebugLevel : Akka.Event.LogLevel.InfoLevel;
                loggers.ClearLoggers();
                loggers.AddLoggerFactory();
            });
            // Nothing may reach stdout before the loggers are up.
            akka.AddHocon("akka.stdout-loglevel = OFF", HoconAddMode.Prepend);
            configure?.Invoke(akka);
            akka.WithMuesli(node);
        });
        return builder.Build();
    }

    private static void ConfigureLogging(ILoggingBuilder logging, bool verbose)
    {
        logging.SetMinimumLevel(verbose ? LogLevel.Debug : LogLevel.Information);
        logging.AddFilter("Akka", verbose ? LogLevel.Debug : LogLevel.Warning);
        logging.AddFilter("Microsoft", LogLevel.Warning);
        logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss.fff ";
        });
        logging.Services.Configure<Microsoft.Extensions.Logging.Console.ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
    }
}
