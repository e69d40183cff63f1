using Akka.Actor;
using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Muesli.Actors;
using Muesli.Actors.Hosting;
using Muesli.Actors.Sessions;

namespace Muesli.Host.Composition;

/// <summary>One meeting on an embedded one-node system: what <c>muesli backend</c> and <c>muesli transcribe</c> share.</summary>
public sealed record MeetingRun
{
    public required string OutputDirectory { get; init; }

    public required EngineSettings Engines { get; init; }

    /// <summary>The meeting's options; <see cref="MeetingOptions.LabelByStream"/> is set from the engines.</summary>
    public required MeetingOptions Meeting { get; init; }

    /// <summary>Turns are labelled by stream even when diarization is available (<c>--live-asr-only</c>).</summary>
    public bool LiveAsrOnly { get; init; }

    public SessionSettings Session { get; init; } = new();

    public bool Verbose { get; init; }

    /// <summary>The remoting port on 127.0.0.1 where the operator console reaches the meeting's node; null: no console.</summary>
    public int? CmdPort { get; init; }

    public const string JournalFile = "muesli-journal.db";
}

public static class MeetingRunner
{
    /// <summary>Serves one meeting from <paramref name="input"/> to <paramref name="output"/>; returns the exit code.</summary>
    public static async Task<int> RunAsync(MeetingRun run, Stream input, IEventOutput output, Task<int>? abort = null)
    {
        Directory.CreateDirectory(run.OutputDirectory);
        using var logs = NodeHost.CreateLogging(run.Verbose);
        var engines = Engines.Resolve(run.Engines, logs);
        var meeting = run.Meeting with
        {
            OutputDirectory = run.OutputDirectory,
            LabelByStream = run.LiveAsrOnly || !engines.HasDiarization,
        };

        var node = new MuesliNodeOptions
        {
            SqlitePath = Path.Combine(run.OutputDirectory, MeetingRun.JournalFile),
            Meeting = meeting,
            Workers = engines.Workers,
            Port = run.CmdPort ?? 0,
            OperatorConsole = run.CmdPort is not null,
        };
        using var host = NodeHost.Build(node, run.Verbose);
        await host.StartAsync();
        var system = host.Services.GetRequiredService<ActorSystem>();
        var registry = host.Services.GetRequiredService<ActorRegistry>();
        var exitCode = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);

        // The workers build their pipelines in the background: the meeting is served from here on, models or not.
        logs.CreateLogger("Muesli.Meeting").LogInformation(
            "serving the meeting: output {Output}, transcribing {Streams}, engines {Engines}",
            run.OutputDirectory,
            string.Join(",", meeting.Transcribed.Select(s => s.ToString().ToLowerInvariant())),
            engines.Description);
        system.ActorOf(
            MeetingSession.Props(input, output, meeting, registry.Regions(), run.Session with { TranscriptionUnavailable = engines.Unavailable }, exitCode),
            "session");

        var finished = await Task.WhenAny(exitCode.Task, abort ?? new TaskCompletionSource<int>().Task);
        using var stopping = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        await host.StopAsync(stopping.Token);
        return await finished;
    }
}
