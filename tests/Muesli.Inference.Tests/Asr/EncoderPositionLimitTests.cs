using System.Diagnostics;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Muesli.Inference.Asr;
using Muesli.Inference.Asr.Tdt;
using Muesli.Inference.Features;
using Muesli.Inference.Tests.Support;
using Muesli.TestWorld;
using Xunit.Abstractions;

namespace Muesli.Inference.Tests.Asr;

/// <summary>
/// The FastConformer exports (Parakeet TDT, NeMo CTC) hold 5000 encoder frames a pass, about 400 s: the stand-ins fail
/// past it inside ONNX Runtime as the real exports do, and both engines cut longer audio into chunks under it.
/// </summary>
public sealed class EncoderPositionLimitTests(ITestOutputHelper output) : IDisposable
{
    private const string BroadcastError = "Attempting to broadcast an axis by a dimension other than 1";
    private const int SampleRate = 16000;
    private const int FrameSamples = 1280;

    private readonly Tdt.ToneWorld world = new();

    [Theory]
    [InlineData(ToneTdtModel.Id)]
    [InlineData(StandInModels.CtcId)]
    public void One_pass_of_410_s_fails_inside_onnx_runtime_and_one_of_400_s_passes(string id)
    {
        // 100 feature frames a second: 400 s give (40000 − 1) / 8 + 1 = 5000 encoder frames, 410 s give 5125.
        Assert.Equal(ToneTdtModel.PositionTableLength, EncoderFrames(id, 400 * 100));
        var error = Assert.Throws<OnnxRuntimeException>(() => EncoderFrames(id, 410 * 100));
        Assert.Contains(BroadcastError, error.Message);
    }

    [Theory]
    [InlineData(ToneTdtModel.Id)]
    [InlineData(StandInModels.CtcId)]
    public void A_meeting_longer_than_one_pass_is_heard_in_300_s_chunks_without_a_word_lost_or_repeated_at_a_cut(string id)
    {
        var meeting = ToneMeetingGenerator.Generate(new MeetingSpec { DurationSeconds = 660, Speakers = 3, Seed = 6 });
        var samples = Tdt.ToneWorld.Samples(meeting);
        using var engine = world.Asr(id);
        var layout = engine switch
        {
            NemoTdtEngine tdt => tdt.Chunks,
            NemoCtcEngine ctc => ctc.Chunks,
            _ => throw new InvalidOperationException($"{id} is not a NeMo engine"),
        };
        var cuts = LongAudioChunks.Plan(samples.Length, layout.MaxChunk, layout.Overlap, layout.Alignment).Skip(1).Select(c => (double)c.KeepFrom / SampleRate).ToArray();

        var clock = Stopwatch.StartNew();
        var words = engine.Transcribe(samples);
        clock.Stop();

        var wer = Scoring.WordErrorRate(meeting.ReferenceText(), string.Join(' ', words.Select(w => w.Text)));
        var matched = Tdt.ToneWorld.Match(meeting.Words, words);
        var nearCuts = meeting.Words.Where(w => cuts.Any(cut => Math.Abs(w.T0 - cut) < layout.Overlap / 2.0 / SampleRate)).ToArray();
        output.WriteLine(
            $"{id}: {meeting.Duration:F0} s, {meeting.Words.Count} words, {words.Count} heard in {cuts.Length + 1} chunks (cuts at {string.Join(", ", cuts)} s), "
            + $"WER {wer:P2}, {nearCuts.Length} words within the overlaps, {clock.Elapsed.TotalSeconds:F1} s");
        Assert.Equal(300, layout.MaxChunkSeconds);
        Assert.Equal(2, cuts.Length);
        Assert.Contains(meeting.Words, w => cuts.Any(cut => w.T0 < cut && cut < w.T1));
        Assert.All(nearCuts, w => Assert.Contains(matched, m => m.Truth == w));
        Assert.Equal(meeting.Words.Count, words.Count);
        Assert.True(wer <= 0.02, $"WER {wer:P2}");
        Assert.True(words.Zip(words.Skip(1)).All(pair => pair.First.Start < pair.Second.Start), "words are in time order, none repeated");
    }

    [Fact]
    public void A_model_that_declares_a_shorter_position_table_is_chunked_under_it()
    {
        const int positions = 500;
        var meeting = ToneMeetingGenerator.Generate(new MeetingSpec { DurationSeconds = 100, Speakers = 2, Seed = 8 });
        var samples = Tdt.ToneWorld.Samples(meeting);
        using var declared = CtcFolder(positions, declarePositions: true);
        using var undeclared = CtcFolder(positions, declarePositions: false);
        using var engine = NemoCtcEngine.Load("declared", declared.ModelPath, declared.TokensPath, new OnnxSessionFactory(DeviceOptions.Cpu));
        using var unaware = NemoCtcEngine.Load("undeclared", undeclared.ModelPath, undeclared.TokensPath, new OnnxSessionFactory(DeviceOptions.Cpu));

        var words = engine.Transcribe(samples);

        var wer = Scoring.WordErrorRate(meeting.ReferenceText(), string.Join(' ', words.Select(w => w.Text)));
        output.WriteLine($"{positions} positions: chunks of {engine.Chunks.MaxChunkSeconds} s, {meeting.Words.Count} words, {words.Count} heard, WER {wer:P2}");
        Assert.Equal((positions - 1) * FrameSamples, engine.Chunks.MaxChunk);
        Assert.Equal(meeting.Words.Count, words.Count);
        Assert.True(wer <= 0.02, $"WER {wer:P2}");
        Assert.Contains(BroadcastError, Assert.Throws<OnnxRuntimeException>(() => unaware.Transcribe(samples)).Message);
    }

    public void Dispose() => world.Dispose();

    private static ModelFolder CtcFolder(int positions, bool declarePositions)
    {
        var folder = new ModelFolder();
        folder.Write("model.onnx", ToneCtcModel.BuildModel(StandInModels.CtcFeatures, positions, declarePositions).ToByteArray());
        File.WriteAllText(folder.TokensPath, ToneCtcModel.Tokens());
        return folder;
    }

    /// <summary>Encoder frames of one pass over <paramref name="frames"/> feature frames of silence.</summary>
    private int EncoderFrames(string id, int frames)
    {
        var features = new FeatureMatrix(new float[StandInModels.CtcFeatures * frames], StandInModels.CtcFeatures, frames);
        if (id == ToneTdtModel.Id)
        {
            using var tdt = world.OpenTdtModel();
            return tdt.Encode(features).Frames;
        }

        using var ctc = world.OpenCtcModel();
        return ctc.Run(features).Frames;
    }
}
