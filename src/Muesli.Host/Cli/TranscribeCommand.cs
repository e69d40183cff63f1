using System.CommandLine;
using Muesli.Actors;
using Muesli.Actors.Sessions;
using Muesli.Audio;
using Muesli.Core.Protocol;
using Muesli.Host.Composition;

namespace Muesli.Host.Cli;

/// <summary><c>muesli transcribe FILE…</c>: any audio file through the same one-node system, to transcript files.</summary>
public static class TranscribeCommand
{
    private static readonly Argument<FileInfo[]> Files = new("files") { Description = "Audio files (WAV: 16/24/32-bit PCM or float, any rate, 1–8 channels)", Arity = ArgumentArity.OneOrMore };

    private static readonly Option<string> Formats = new("--format")
    {
        Description = $"Comma-separated output formats: {string.Join(", ", TranscriptFormats.All)}, or all",
        DefaultValueFactory = _ => "txt,json",
    };

    private static readonly Option<DirectoryInfo?> Out = new("--out") { Description = "Folder for the transcripts (default: beside each file)" };
    private static readonly Option<string?> Models = new("--models") { Description = "Models folder (default: $MUESLI_MODELS)" };
    private static readonly Option<string?> AsrModel = new("--asr-model") { Description = "ASR model id or alias" };
    private static readonly Option<string> Device = new("--device") { Description = "auto, cpu, cuda or cuda:N", DefaultValueFactory = _ => "auto" };
    private static readonly Option<bool> Verbose = new("--verbose") { Description = "Debug logs on stderr" };

    public static Command Create()
    {
        var command = new Command("transcribe", "Transcribe and diarize audio files; progress on stderr");
        command.Arguments.Add(Files);
        foreach (var option in new Option[] { Formats, Out, Models, AsrModel, Device, Verbose })
        {
            command.Options.Add(option);
        }

        command.SetAction((parse, _) => RunAsync(parse));
        return command;
    }

    private static async Task<int> RunAsync(ParseResult parse)
    {
        IReadOnlyList<string> formats;
        try
        {
            formats = TranscriptFormats.Parse(parse.GetValue(Formats)!);
        }
        catch (FormatException e)
        {
            await Console.Error.WriteLineAsync($"muesli: --format: {e.Message}");
            return Program.ExitUsage;
        }

        var failures = 0;
        foreach (var file in parse.GetValue(Files)!)
        {
            try
            {
                failures += await TranscribeAsync(file, formats, parse) == 0 ? 0 : 1;
            }
            catch (AudioFileException e)
            {
                await Console.Error.WriteLineAsync($"muesli: {file.Name}: {e.Message}");
                failures++;
            }
        }

        return failures == 0 ? 0 : 1;
    }

    private static async Task<int> TranscribeAsync(FileInfo file, IReadOnlyList<string> formats, ParseResult parse)
    {
        var samples = AudioFile.Read16kMono(file.FullName);
        await Console.Error.WriteLineAsync($"{file.Name}: {samples.Length / 16000.0:F1} s of audio");
        var engines = new EngineSettings { ModelsDirectory = parse.GetValue(Models), AsrModel = parse.GetValue(AsrModel), Device = parse.GetValue(Device)! };
        var work = Path.Combine(Path.GetTempPath(), $"muesli-transcribe-{Guid.NewGuid():N}");
        var output = new ResultCapture(file.Name);
        int code;
        try
        {
            code = await MeetingRunner.RunAsync(
                new MeetingRun
                {
                    OutputDirectory = work,
                    Verbose = parse.GetValue(Verbose),
                    Engines = engines,
                    Meeting = new MeetingOptions { Live = false, EmitWords = true },
                },
                new FileFrames(samples, p => Console.Error.WriteLine($"{file.Name}: read {p:P0}")),
                output);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }

        if (output.Result is not { } result)
        {
            await Console.Error.WriteLineAsync($"{file.Name}: no transcript ({string.Join("; ", output.Errors.DefaultIfEmpty($"exit code {code}"))})");
            return code == 0 ? 1 : code;
        }

        var folder = parse.GetValue(Out)?.FullName ?? file.DirectoryName!;
        Directory.CreateDirectory(folder);
        var name = Path.GetFileNameWithoutExtension(file.Name);
        var document = new TranscriptDocument(name, result, new Dictionary<string, string>
        {
            ["asr"] = engines.AsrModel ?? "default",
            ["diarization"] = engines.DiarizationBackend ?? "none",
            ["device"] = engines.Device,
        });
        foreach (var format in formats)
        {
            var path = Path.Combine(folder, $"{name}.{format}");
            await File.WriteAllTextAsync(path, TranscriptFormats.Write(format, document));
            await Console.Error.WriteLineAsync($"{file.Name}: wrote {path}");
        }

        return 0;
    }

    /// <summary>Keeps the result, shows progress and errors on stderr.</summary>
    private sealed class ResultCapture(string name) : IEventOutput
    {
        public MuesliEvents.Result? Result { get; private set; }

        public List<string> Errors { get; } = [];

        public void Write(MuesliEvent e)
        {
            switch (e)
            {
                case MuesliEvents.Result result:
                    Result = result;
                    break;
                case MuesliEvents.Stage stage:
                    Console.Error.WriteLine($"{name}: {stage.Name}");
                    break;
                case MuesliEvents.Error error:
                    Errors.Add(error.Message);
                    Console.Error.WriteLine($"{name}: error: {error.Message}");
                    break;
            }
        }
    }
}
