using System.CommandLine;
using System.Globalization;
using Muesli.Core;

namespace Muesli.TestWorld;

/// <summary>
/// <c>meeting</c>: generate a tone-world meeting with its truth; <c>models</c>: write a stand-in models folder.
/// Exit codes: 0 done, 2 bad arguments, 1 a folder or file that could not be written.
/// </summary>
public static class Program
{
    public const int BadArguments = 2;

    public static int Main(string[] args) => Run(args, Console.Out, Console.Error);

    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        var root = new RootCommand("The tone world: synthetic meetings with known truth, and stand-in models that hear them.");
        root.Add(MeetingCommand(output));
        root.Add(ModelsCommand(output));

        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            foreach (var problem in parsed.Errors)
            {
                error.WriteLine(problem.Message);
            }

            error.WriteLine("See --help.");
            return BadArguments;
        }

        try
        {
            return parsed.Invoke(new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false });
        }
        catch (ArgumentException e)
        {
            error.WriteLine(e.Message);
            return BadArguments;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            error.WriteLine(e.Message);
            return 1;
        }
    }

    private static Command MeetingCommand(TextWriter output)
    {
        var minutes = new Option<double>("--minutes") { Description = "Length of the meeting in minutes", DefaultValueFactory = _ => 1 };
        var speakers = new Option<int>("--speakers") { Description = "Number of speakers (1–6)", DefaultValueFactory = _ => 2 };
        var seed = new Option<int>("--seed") { Description = "Seed: the same seed gives the same meeting", DefaultValueFactory = _ => 1 };
        var rate = new Option<int>("--rate") { Description = "Sample rate of the WAV files (8000–48000 Hz)", DefaultValueFactory = _ => 16000 };
        var channels = new Option<int>("--channels") { Description = "Channels of the WAV files (1 or 2)", DefaultValueFactory = _ => 1 };
        var folder = new Option<string>("--out") { Description = "Folder to write meeting.wav and the truth files into", Required = true };
        var micSpeakers = new Option<string>("--mic-speakers") { Description = "Speakers on the mic stream, e.g. 1,3 (SPEAKER_01, SPEAKER_03)" };
        var overlap = new Option<double>("--overlap") { Description = "Fraction of turns that start before the previous one ends (0–1)" };
        var noise = new Option<double>("--noise") { Description = "RMS of the white noise floor (full scale 1)", DefaultValueFactory = _ => new MeetingSpec().NoiseLevel };
        var silences = new Option<string[]>("--silence")
        {
            Description = "AT:SECONDS[:NOISE], repeatable: SECONDS of silence at the first pause from AT s on; digital zero, or white noise of RMS NOISE",
            Arity = ArgumentArity.OneOrMore,
        };
        var silentShare = new Option<double>("--silent-share") { Description = "Share of the meeting (0–0.9) made of 5–90 s stretches of digital silence" };

        var command = new Command("meeting", "Generate a meeting: meeting.wav, truth.json, truth.rttm, truth.txt (and system.wav, mic.wav)")
        {
            minutes, speakers, seed, rate, channels, folder, micSpeakers, overlap, noise, silences, silentShare,
        };
        command.SetAction(result =>
        {
            var spec = new MeetingSpec
            {
                DurationSeconds = result.GetValue(minutes) * 60,
                Speakers = result.GetValue(speakers),
                Seed = result.GetValue(seed),
                OverlapRatio = result.GetValue(overlap),
                NoiseLevel = result.GetValue(noise),
                MicSpeakers = ParseSpeakers(result.GetValue(micSpeakers)),
                Silences = (result.GetValue(silences) ?? []).Select(ParseSilence).ToArray(),
                SilentShare = result.GetValue(silentShare),
            };
            var format = new AudioFormat(result.GetValue(rate), result.GetValue(channels));
            var directory = result.GetRequiredValue(folder);
            var meeting = ToneMeetingGenerator.Generate(spec);
            meeting.WriteTo(directory, format);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{meeting.Words.Count} words, {meeting.Turns.Count} turns, {meeting.Duration:0.###} s at {format} → {directory}"));
            return 0;
        });
        return command;
    }

    private static Command ModelsCommand(TextWriter output)
    {
        var directory = new Option<string>("--out") { Description = "Folder to write models.json and the stand-in models into", Required = true };
        var withVad = new Option<bool>("--with-vad") { Description = "Also write the stand-in Silero VAD (tone-vad), which becomes the vad default" };
        var realSize = new Option<bool>("--real-size") { Description = "Pad each ONNX file to its real export's size with an unused initializer (about 700 MB), to measure load time" };
        var command = new Command("models", "Write a models folder of stand-in models (models.json + files)") { directory, withVad, realSize };
        command.SetAction(result =>
        {
            var path = result.GetRequiredValue(directory);
            StandInModels.WriteModelsFolder(path, result.GetValue(withVad), result.GetValue(realSize));
            output.WriteLine($"stand-in models → {path}");
            return 0;
        });
        return command;
    }

    private static SilentStretch ParseSilence(string text)
    {
        var parts = text.Split(':');
        var numbers = parts.Select(part => double.TryParse(part, NumberStyles.Float, CultureInfo.InvariantCulture, out var n) ? n : double.NaN).ToArray();
        return parts.Length is 2 or 3 && numbers.All(double.IsFinite)
            ? new SilentStretch(numbers[0], numbers[1], parts.Length == 3 ? numbers[2] : 0)
            : throw new ArgumentException($"--silence: '{text}' is not AT:SECONDS[:NOISE] (e.g. 30:60 or 30:60:0.001)");
    }

    private static IReadOnlyList<int> ParseSpeakers(string? list)
    {
        if (string.IsNullOrWhiteSpace(list))
        {
            return [];
        }

        return list.Split(',', StringSplitOptions.TrimEntries).Select(item =>
            int.TryParse(item, NumberStyles.None, CultureInfo.InvariantCulture, out var speaker)
                ? speaker
                : throw new ArgumentException($"--mic-speakers: '{item}' is not a speaker number (use e.g. 1,3)")).ToArray();
    }
}
