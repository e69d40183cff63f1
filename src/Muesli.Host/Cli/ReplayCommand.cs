using System.CommandLine;
using Akka.Actor;
using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Muesli.Actors;
using Muesli.Actors.Hosting;
using Muesli.Actors.Persistence;
using Muesli.Core.Windows;
using Muesli.Host.Composition;

namespace Muesli.Host.Cli;

/// <summary>
/// <c>muesli replay --data-dir DIR --meeting ID</c>: a persisted meeting's transcript, rebuilt offline from its journal
/// and its PCM logs by an embedded node (<see cref="MeetingReplay"/>), written in the formats of <c>muesli transcribe</c>.
/// A meeting left unfinished by a crash is finalized on the way. Exit codes: 0 written; 1 a PCM log is damaged (each
/// damaged stream named with its missing bytes, nothing written) or the journal cannot be read; 2 the command cannot
/// run (its flags, the models, the folders); 3 no such meeting in the journal.
/// </summary>
public static class ReplayCommand
{
    public const int ExitDamaged = 1;
    public const int ExitUnknownMeeting = 3;

    private static readonly Option<DirectoryInfo> DataDir = new("--data-dir")
    {
        Description = $"The folder the meeting was recorded in: a backend's --output-dir or a node's --data-dir (with {MeetingRun.JournalFile} unless --journal)",
        Required = true,
    };

    private static readonly Option<string?> Journal = new("--journal") { Description = "PostgreSQL connection string (Npgsql syntax) of a node's journal (default: SQLite in the data dir)" };
    private static readonly Option<string> MeetingId = new("--meeting") { Description = "The meeting's id (MEETING_START's meeting_id, or meeting_started's)", Required = true };

    private static readonly Option<string> Formats = new("--format")
    {
        Description = $"Comma-separated output formats ({string.Join(", ", TranscriptFormats.All)}) or all",
        DefaultValueFactory = _ => "txt,json",
    };

    private static readonly Option<DirectoryInfo> Out = new("--out")
    {
        Description = "Folder for the transcripts, named after the meeting",
        DefaultValueFactory = _ => new DirectoryInfo("."),
    };

    private static readonly Option<string> Device = new("--device") { Description = "auto, cpu, cuda or cuda:N", DefaultValueFactory = _ => "auto" };

    /// <summary>The backend's meeting flags: give those the meeting was served with (the models, the merge settings).</summary>
    private static readonly MeetingFlags Flags = new(new OptionMaker(environment: false));

    /// <summary>Of the meeting flags, those the final pass and the result depend on; the others act on live passes and capture only.</summary>
    private static IEnumerable<Option> FinalPassFlags =>
    [
        Flags.Models, Flags.AsrModel, Flags.DiarBackend, Flags.Language, Flags.LiveAsrOnly, Flags.GapThreshold, Flags.SpeakerTolerance,
        Flags.FinalizeLag, Flags.ContextSeconds, Flags.Threads, Flags.Verbose,
    ];

    public static Command Create()
    {
        var command = new Command("replay", "Rebuild a persisted meeting's transcript from its journal and PCM logs (offline), finalizing it if a crash left it unfinished");
        foreach (var option in new Option[] { DataDir, Journal, MeetingId, Formats, Out, Device })
        {
            command.Options.Add(option);
        }

        foreach (var option in FinalPassFlags)
        {
            command.Options.Add(option);
        }

        command.SetAction((parse, cancel) => RunAsync(parse, cancel));
        return command;
    }

    private static async Task<int> RunAsync(ParseResult parse, CancellationToken cancel)
    {
        static void Say(string line) => Console.Error.WriteLine($"muesli: replay: {line}");
        var verbose = parse.GetValue(Flags.Verbose);
        var meetingId = parse.GetValue(MeetingId)!.Trim();
        IReadOnlyList<string> formats;
        try
        {
            formats = TranscriptFormats.Parse(parse.GetValue(Formats)!);
        }
        catch (FormatException e)
        {
            Say($"--format: {e.Message}");
            return Program.ExitUsage;
        }

        var dataDir = parse.GetValue(DataDir)!.FullName;
        if (!Directory.Exists(dataDir))
        {
            Say($"--data-dir {dataDir} does not exist");
            return Program.ExitUsage;
        }

        var journal = parse.GetValue(Journal);
        var sqlite = Path.Combine(dataDir, MeetingRun.JournalFile);
        if (journal is null && !File.Exists(sqlite))
        {
            Say($"no meeting {meetingId}: {dataDir} holds no journal ({MeetingRun.JournalFile}); give the node's --journal if it used PostgreSQL");
            return ExitUnknownMeeting;
        }

        var output = parse.GetValue(Out)!.FullName;
        if (OutputFolder.Problem(output) is { } problem)
        {
            Say($"--out: {problem}");
            return Program.ExitUsage;
        }

        using var logs = NodeHost.CreateLogging(verbose, verbose ? LogLevel.Debug : LogLevel.Warning);
        EngineSetup engines;
        try
        {
            engines = Engines.Resolve(Flags.Engines(parse, parse.GetValue(Device)!), logs);
        }
        catch (ArgumentException e)
        {
            Say(e.Message);
            return Program.ExitUsage;
        }

        if (Engines.MissingFor(engines, diarization: null) is { } missing)
        {
            // Without a worker the final pass of an unfinished meeting would give up on its windows, for good.
            Say(missing);
            return Program.ExitUsage;
        }

        var meeting = new MeetingOptions
        {
            OutputDirectory = dataDir,
            // A node keeps a folder per meeting (and a journal elsewhere); a backend's files lie in its output folder.
            PerMeetingDirectories = journal is not null || Directory.Exists(Path.Combine(dataDir, meetingId)),
            LabelByStream = parse.GetValue(Flags.LiveAsrOnly) || !engines.HasDiarization,
            Merge = Flags.Merge(parse),
            FinalizeLagSeconds = parse.GetValue(Flags.FinalizeLag),
            Windows = new WindowOptions { ContextSeconds = parse.GetValue(Flags.ContextSeconds) },
            // Only the final pass runs; a replay never removes a recording, and its transcripts carry the words.
            Live = false,
            KeepPcm = true,
            EmitWords = true,
        };
        var node = new MuesliNodeOptions
        {
            SqlitePath = sqlite,
            PostgresConnection = journal,
            Meeting = meeting,
            Workers = engines.Workers,
        };
        using var host = NodeHost.Build(node, verbose, minimum: verbose ? null : LogLevel.Warning);
        await host.StartAsync(cancel);
        try
        {
            var replay = new MeetingReplay(host.Services.GetRequiredService<ActorSystem>(), host.Services.GetRequiredService<ActorRegistry>().Regions(), meeting);
            ReplayOutcome outcome;
            try
            {
                outcome = await replay.ReplayAsync(meetingId, cancel);
            }
            catch (Exception e) when (e is TimeoutException or InvalidOperationException)
            {
                Say(e.Message);
                return ExitDamaged;
            }

            switch (outcome.Status)
            {
                case ReplayStatus.UnknownMeeting:
                    Say($"no meeting {meetingId} in the journal of {(journal is null ? sqlite : "--journal")}");
                    return ExitUnknownMeeting;
                case ReplayStatus.Damaged:
                    foreach (var damage in outcome.Damage)
                    {
                        Console.Error.WriteLine(damage.Message);
                    }

                    Say("nothing written: the meeting's audio is incomplete");
                    return ExitDamaged;
            }

            foreach (var error in outcome.Errors)
            {
                Say($"meeting {meetingId}: {error}");
            }

            var name = string.Concat(meetingId.Select(c => Path.GetInvalidFileNameChars().Contains(c) ? '_' : c));
            var document = new TranscriptDocument(meetingId, outcome.Result!, engines.Names);
            var written = OutputFolder.WriteAll(output, name, formats.Select(f => (f, TranscriptFormats.Write(f, document))).ToArray());
            foreach (var path in written)
            {
                Say($"wrote {path}");
            }

            return 0;
        }
        finally
        {
            using var stopping = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            await host.StopAsync(stopping.Token);
        }
    }
}
