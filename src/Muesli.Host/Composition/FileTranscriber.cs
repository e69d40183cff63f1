using System.Runtime.InteropServices;
using Akka.Actor;
using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Muesli.Actors;
using Muesli.Actors.Hosting;
using Muesli.Actors.Sessions;
using Muesli.Core.Protocol;
using Muesli.Core.Speakers;
using Muesli.Host.Cli;

namespace Muesli.Host.Composition;

/// <summary>One recording to transcribe: its samples, the stream it stands for, and the meeting settings it carries.</summary>
public sealed record FileJob(string Name, FileFrames.SampleReader Read)
{
    /// <summary>The stream the recording is sent as: its turns' <c>stream</c> and speaker ids say so.</summary>
    public StreamKind Stream { get; init; } = StreamKind.System;

    /// <summary>The meeting's own settings, as a client sends them in MEETING_START (<c>gap_threshold</c>, <c>asr_model</c>…).</summary>
    public IReadOnlyDictionary<string, object> Settings { get; init; } = new Dictionary<string, object>();

    /// <summary>Hears how many 16 kHz samples have been sent so far.</summary>
    public Action<long>? Sent { get; init; }

    /// <summary>Hears every event the meeting publishes (stages, the final pass's progress, errors, the result).</summary>
    public Action<MuesliEvent>? Events { get; init; }
}

/// <summary>What a recording gave: its result, or why there is none.</summary>
public sealed record FileOutcome(MuesliEvents.Result? Result, IReadOnlyList<string> Errors, int ExitCode);

/// <summary>What every recording of a <see cref="FileTranscriber"/> shares.</summary>
public sealed record FileTranscriberSettings
{
    public ClusteringOptions FinalClustering { get; init; } = new();

    public bool Verbose { get; init; }

    /// <summary>The least level the node logs: the command prints its own progress, so only warnings by default.</summary>
    public Microsoft.Extensions.Logging.LogLevel MinimumLog { get; init; } = Microsoft.Extensions.Logging.LogLevel.Warning;
}

/// <summary>
/// One embedded node that transcribes recordings as meetings with no live passes, several at once: each one is a
/// client session like the backend's, its stream recorded and then run through the final pass by the node's worker
/// pool — the path a live meeting's final pass takes. The node's journal and the streams' logs live in a work folder
/// that is removed when the transcriber is disposed; each recording's own folder goes as soon as it is done.
/// </summary>
public sealed class FileTranscriber : IAsyncDisposable
{
    private readonly IHost _host;
    private readonly ActorSystem _system;
    private readonly MuesliRegions _regions;
    private readonly MeetingOptions _meeting;
    private readonly SessionSettings _session;
    private readonly string _work;
    private readonly PosixSignalRegistration[] _signals;
    private int _next;

    private FileTranscriber(IHost host, MeetingOptions meeting, SessionSettings session, string work)
    {
        _host = host;
        _system = host.Services.GetRequiredService<ActorSystem>();
        _regions = host.Services.GetRequiredService<ActorRegistry>().Regions();
        _meeting = meeting;
        _session = session;
        _work = work;

        // Interrupted (Ctrl-C, SIGTERM), the process ends without unwinding: the work folder goes first.
        _signals = [.. new[] { PosixSignal.SIGINT, PosixSignal.SIGTERM }.Select(signal => PosixSignalRegistration.Create(signal, _ => RemoveWork()))];
    }

    /// <summary>Starts the node on <paramref name="engines"/>, which must be available (<see cref="EngineSetup.Unavailable"/> null).</summary>
    public static async Task<FileTranscriber> StartAsync(EngineSetup engines, FileTranscriberSettings settings)
    {
        if (engines.Unavailable is { } unavailable)
        {
            throw new InvalidOperationException(unavailable);
        }

        var work = Directory.CreateTempSubdirectory("muesli-transcribe-").FullName;
        try
        {
            var meeting = new MeetingOptions
            {
                OutputDirectory = work,
                PerMeetingDirectories = true,
                Live = false,
                EmitWords = true,
                ReportPassProgress = true,
                LabelByStream = !engines.HasDiarization,
                FinalClustering = settings.FinalClustering,
            };
            var node = new MuesliNodeOptions
            {
                SqlitePath = Path.Combine(work, MeetingRun.JournalFile),
                Meeting = meeting,
                Workers = engines.Workers,
            };
            var host = NodeHost.Build(node, settings.Verbose, minimum: settings.Verbose ? null : settings.MinimumLog);
            await host.StartAsync();
            return new FileTranscriber(host, meeting, new SessionSettings { AcceptsSettings = true, CheckSettings = engines.CheckSettings }, work);
        }
        catch
        {
            Directory.Delete(work, recursive: true);
            throw;
        }
    }

    /// <summary>Sends the recording as a meeting and waits for its result.</summary>
    public async Task<FileOutcome> TranscribeAsync(FileJob job)
    {
        var n = Interlocked.Increment(ref _next);
        var meetingId = $"file-{n}-{Guid.NewGuid():N}"[..20];
        var fields = new Dictionary<string, object>(job.Settings)
        {
            ["meeting_id"] = meetingId,
            ["transcribe_stream"] = job.Stream == StreamKind.Mic ? "mic" : "system",
        };
        var capture = new Capture(job.Events);
        var exit = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var input = new FileFrames(job.Read, job.Stream, FileFrames.Start(fields), job.Sent);
        _system.ActorOf(MeetingSession.Props(input, capture, _meeting, _regions, _session, exit), $"file-{n}");
        var code = await exit.Task;
        try
        {
            Directory.Delete(_meeting.StreamDirectory(meetingId), recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }

        return new FileOutcome(capture.Result, capture.Errors, code);
    }

    public async ValueTask DisposeAsync()
    {
        using (var stopping = new CancellationTokenSource(TimeSpan.FromSeconds(15)))
        {
            await _host.StopAsync(stopping.Token);
        }

        _host.Dispose();
        foreach (var signal in _signals)
        {
            signal.Dispose();
        }

        RemoveWork();
    }

    private void RemoveWork()
    {
        try
        {
            Directory.Delete(_work, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }

    private sealed class Capture(Action<MuesliEvent>? events) : IEventOutput
    {
        private readonly List<string> _errors = [];

        public MuesliEvents.Result? Result { get; private set; }

        public IReadOnlyList<string> Errors
        {
            get
            {
                lock (_errors)
                {
                    return [.. _errors];
                }
            }
        }

        public void Write(MuesliEvent e)
        {
            switch (e)
            {
                case MuesliEvents.Result result:
                    Result = result;
                    break;
                case MuesliEvents.Error error:
                    lock (_errors)
                    {
                        _errors.Add(error.Message);
                    }

                    break;
            }

            events?.Invoke(e);
        }
    }
}
