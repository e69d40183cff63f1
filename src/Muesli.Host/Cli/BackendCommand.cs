using System.CommandLine;
using System.Runtime.InteropServices;
using Muesli.Actors.Sessions;
using Muesli.Host.Composition;

namespace Muesli.Host.Cli;

/// <summary><c>muesli backend</c>: the drop-in for the original backend process — frames on stdin, JSONL on stdout.</summary>
public static class BackendCommand
{
    private static readonly Option<DirectoryInfo> OutputDir = new("--output-dir")
    {
        Description = "Folder for the captures (system.pcm, mic.pcm, system.wav, mic.wav) and the journal",
        DefaultValueFactory = _ => new DirectoryInfo("."),
    };

    private static readonly MeetingFlags Flags = new(new OptionMaker(environment: false));

    private static readonly Option<string> Device = new("--device")
    {
        Description = "auto (CUDA when it loads, else CPU), cpu, cuda or cuda:N",
        DefaultValueFactory = _ => "auto",
    };

    private static readonly Option<int?> CmdPort = MakeCmdPort();

    /// <param name="stdout">Where the protocol's JSONL goes: the process's standard output, and nothing else writes there.</param>
    public static Command Create(TextWriter stdout)
    {
        var command = new Command("backend", "Serve one meeting: frames on stdin, JSONL events on stdout, logs on stderr");
        command.Options.Add(OutputDir);
        foreach (var option in Flags.All)
        {
            command.Options.Add(option);
        }

        command.Options.Add(Device);
        command.Options.Add(CmdPort);
        command.SetAction((parse, cancel) => RunAsync(parse, stdout));
        return command;
    }

    private static Option<int?> MakeCmdPort()
    {
        var option = new Option<int?>("--cmd-port")
        {
            Description = "Answer the operator console (muesli-cmd --contact 127.0.0.1:N) on this remoting port (default: off)",
        };
        option.Validators.Add(result =>
        {
            if (result.GetValue(option) is < 1 or > 65535)
            {
                result.AddError("--cmd-port must be a TCP port (1-65535)");
            }
        });
        return option;
    }

    private static async Task<int> RunAsync(ParseResult parse, TextWriter stdout)
    {
        var run = new MeetingRun
        {
            OutputDirectory = parse.GetValue(OutputDir)!.FullName,
            Verbose = parse.GetValue(Flags.Verbose),
            LiveAsrOnly = parse.GetValue(Flags.LiveAsrOnly),
            Engines = Flags.Engines(parse, parse.GetValue(Device)!),
            Meeting = Flags.Meeting(parse),
            Session = new SessionSettings { EmitMeters = parse.GetValue(Flags.EmitMeters) },
            CmdPort = parse.GetValue(CmdPort),
        };

        var input = new InterruptibleInput(Console.OpenStandardInput());
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, input.OnSignal);
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, input.OnSignal);
        var code = await MeetingRunner.RunAsync(run, input, new JsonLinesOutput(stdout), input.Killed);
        await stdout.FlushAsync();
        return code;
    }
}
