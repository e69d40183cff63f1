using Muesli.TestWorld;
using Muesli.TestWorld.StandIns;
using Xunit;

namespace Muesli.Inference.Tests.ToneWorld;

public sealed class CommandLineTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("tone-cli-").FullName;
    private readonly StringWriter output = new();
    private readonly StringWriter error = new();

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact]
    public void Meeting_writes_the_meeting_as_asked()
    {
        var target = Path.Combine(folder, "meeting");

        var code = Program.Run(
            ["meeting", "--minutes", "0.25", "--speakers", "3", "--seed", "4", "--rate", "48000", "--channels", "2",
                "--out", target, "--mic-speakers", "0,2", "--overlap", "0.2", "--noise", "0.0005"],
            output, error);

        Assert.Equal(0, code);
        Assert.Equal(
            ["meeting.wav", "mic.wav", "system.wav", "truth.json", "truth.rttm", "truth.txt"],
            Directory.GetFiles(target).Select(f => Path.GetFileName(f)!).Order().ToArray());
        var expected = ToneMeetingGenerator.Generate(new MeetingSpec
        {
            DurationSeconds = 15,
            Speakers = 3,
            Seed = 4,
            MicSpeakers = [0, 2],
            OverlapRatio = 0.2,
            NoiseLevel = 0.0005,
        });
        Assert.Equal(expected.ReferenceText() + "\n", File.ReadAllText(Path.Combine(target, "truth.txt")));
        Assert.Equal(44 + 15 * 48000 * 4, new FileInfo(Path.Combine(target, "meeting.wav")).Length);
    }

    [Fact]
    public void Meeting_inserts_the_silences_asked_for()
    {
        var target = Path.Combine(folder, "silent");

        var code = Program.Run(
            ["meeting", "--minutes", "1", "--seed", "3", "--out", target, "--silence", "0:4", "--silence", "30:6.5:0.001"],
            output, error);

        Assert.Equal(0, code);
        var expected = ToneMeetingGenerator.Generate(new MeetingSpec
        {
            DurationSeconds = 60,
            Seed = 3,
            Silences = [new SilentStretch(0, 4), new SilentStretch(30, 6.5, 0.001)],
        });
        Assert.Equal(2, expected.Silences.Count);
        Assert.Equal(TruthFile(expected), File.ReadAllText(Path.Combine(target, "truth.json")));
    }

    [Fact]
    public void Meeting_fills_the_silent_share()
    {
        var target = Path.Combine(folder, "share");

        var code = Program.Run(["meeting", "--minutes", "5", "--seed", "8", "--out", target, "--silent-share", "0.3"], output, error);

        Assert.Equal(0, code);
        var expected = ToneMeetingGenerator.Generate(new MeetingSpec { DurationSeconds = 300, Seed = 8, SilentShare = 0.3 });
        Assert.NotEmpty(expected.Silences);
        Assert.Equal(TruthFile(expected), File.ReadAllText(Path.Combine(target, "truth.json")));
    }

    [Fact]
    public void Models_writes_a_models_folder()
    {
        var target = Path.Combine(folder, "models");

        var code = Program.Run(["models", "--out", target], output, error);

        Assert.Equal(0, code);
        Assert.True(File.Exists(Path.Combine(target, "models.json")));
        Assert.True(File.Exists(Path.Combine(target, "tone-ctc", "model.onnx")));
        Assert.True(File.Exists(Path.Combine(target, "tone-ctc", "tokens.txt")));
        Assert.False(Directory.Exists(Path.Combine(target, "tone-vad")));
    }

    [Fact]
    public void Models_with_vad_adds_the_stand_in_vad()
    {
        var target = Path.Combine(folder, "models");

        var code = Program.Run(["models", "--out", target, "--with-vad"], output, error);

        Assert.Equal(0, code);
        Assert.Equal(ToneVadModel.Build(), File.ReadAllBytes(Path.Combine(target, "tone-vad", "model.onnx")));
        Assert.Contains("\"vad\": \"tone-vad\"", File.ReadAllText(Path.Combine(target, "models.json")));
    }

    [Theory]
    [InlineData("meeting", "--speakers", "7")]
    [InlineData("meeting", "--minutes", "soon")]
    [InlineData("meeting", "--minutes", "-1")]
    [InlineData("meeting", "--rate", "100")]
    [InlineData("meeting", "--channels", "3")]
    [InlineData("meeting", "--mic-speakers", "1,x")]
    [InlineData("meeting", "--mic-speakers", "5")]
    [InlineData("meeting", "--overlap", "2")]
    [InlineData("meeting", "--colour", "blue")]
    [InlineData("meeting", "--silence", "10")]
    [InlineData("meeting", "--silence", "10:x")]
    [InlineData("meeting", "--silence", "10:5:0.001:2")]
    [InlineData("meeting", "--silence", "10:-5")]
    [InlineData("meeting", "--silence", "70:5")]
    [InlineData("meeting", "--silence", "10:5:-1")]
    [InlineData("meeting", "--silence")]
    [InlineData("meeting", "--silent-share", "0.9")]
    [InlineData("meeting", "--silent-share", "some")]
    [InlineData("meeting", "--silent-share", "0.2", "--silence", "10:5")]
    [InlineData("lunch")]
    public void Bad_arguments_exit_with_code_2_and_say_why(params string[] args)
    {
        var code = Program.Run([.. args, "--out", Path.Combine(folder, "never")], output, error);

        Assert.Equal(Program.BadArguments, code);
        Assert.NotEmpty(error.ToString().Trim());
        Assert.False(Directory.Exists(Path.Combine(folder, "never")));
    }

    [Fact]
    public void A_folder_that_cannot_be_made_exits_with_code_1()
    {
        var blocker = Path.Combine(folder, "a-file");
        File.WriteAllText(blocker, "not a folder");

        var code = Program.Run(["models", "--out", Path.Combine(blocker, "models")], output, error);

        Assert.Equal(1, code);
        Assert.NotEmpty(error.ToString().Trim());
    }

    [Fact]
    public void No_command_exits_with_code_2()
    {
        Assert.Equal(Program.BadArguments, Program.Run([], output, error));
    }

    [Fact]
    public void Help_lists_the_commands()
    {
        var code = Program.Run(["--help"], output, error);

        Assert.Equal(0, code);
        Assert.Contains("meeting", output.ToString());
        Assert.Contains("models", output.ToString());
    }

    /// <summary>truth.json as the meeting command writes it.</summary>
    private static string TruthFile(ToneMeeting meeting)
    {
        var written = Directory.CreateTempSubdirectory("tone-cli-truth-").FullName;
        try
        {
            meeting.WriteTo(written, new Muesli.Core.AudioFormat(8000, 1));
            return File.ReadAllText(Path.Combine(written, "truth.json"));
        }
        finally
        {
            Directory.Delete(written, recursive: true);
        }
    }
}
