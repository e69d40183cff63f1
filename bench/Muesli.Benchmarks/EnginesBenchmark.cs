using System.Diagnostics;
using Muesli.Audio;
using Muesli.Core.Merge;
using Muesli.Inference;
using Muesli.Inference.Asr;
using Muesli.Inference.Diarization;
using Muesli.Inference.Features;
using Muesli.Inference.Models;
using Muesli.Inference.Vad;
using Muesli.TestWorld;
using Muesli.TestWorld.Reference;

namespace Muesli.Benchmarks;

/// <summary>
/// Real-time factors of the front ends and engines on this machine's CPU: with the stand-in models on a tone meeting,
/// the shipped Silero model on real speech, and the real weights of <c>MUESLI_MODELS</c> where they are installed.
/// The vectorised front ends are timed against the plain scalar references in the same run.
/// </summary>
public static class EnginesBenchmark
{
    public static int Run(double seconds)
    {
        var shared = SharedFolder();
        var meeting = ToneMeetingGenerator.Generate(new MeetingSpec { DurationSeconds = seconds, Speakers = 4, Seed = 5, OverlapRatio = 0.1 });
        var tone = meeting.Render("system", Muesli.Core.AudioFormat.Asr).Select(s => s / 32768f).ToArray();
        var speech = Loop(AudioFile.Read16kMono(Path.Combine(shared, "testdata", "pyannote-sample", "sample.wav")), seconds);
        Console.WriteLine($"CPU: {Environment.ProcessorCount} logical cores; audio {seconds:F0} s; RTF = compute time / audio time (lower is faster)");
        Console.WriteLine();

        Console.WriteLine("Front ends: vectorised FFT against the scalar naive-DFT reference of the tests (x real time = seconds of audio per second)");
        Console.WriteLine($"{"front end",-28} {"vectorised x RT",16} {"scalar x RT",12} {"speed-up",9}");
        var clip = tone.AsSpan(0, Math.Min(tone.Length, 16000 * 30)).ToArray();
        FrontEnd("NeMo log-mel 128", tone, clip, a => new NemoMelFrontEnd(128).Compute(a), a => ScalarNemoMel.Compute(a, 128));
        FrontEnd("NeMo log-mel 80", tone, clip, a => new NemoMelFrontEnd(80).Compute(a), a => ScalarNemoMel.Compute(a, 80));
        FrontEnd("Kaldi fbank 80 (WeSpeaker)", tone, clip, a => new KaldiFbankFrontEnd(KaldiFbankOptions.WeSpeaker).Compute(a), a => ScalarKaldiFbank.Compute(a, 80, scale: 32768, subtractMean: true));
        FrontEnd("Whisper log-mel 80", tone, clip, a => new WhisperMelFrontEnd(80).Compute(a), a => ScalarWhisperMel.Compute(a, 80));
        Console.WriteLine();

        var standIns = Path.Combine(Path.GetTempPath(), $"muesli-bench-standins-{Environment.ProcessId}");
        StandInModels.WriteModelsFolder(standIns, withVad: true);
        try
        {
            Console.WriteLine("Engines with the stand-in models (tone meeting) and the shipped Silero VAD (real speech)");
            Engines(ModelCatalog.Open(standIns), tone, "tone");
            using (var vad = new SileroVad(Path.Combine(shared, "models", "silero_vad.onnx"), new OnnxSessionFactory(DeviceOptions.Cpu)))
            {
                Time("vad silero (real model)", speech, a => vad.Detect(a));
            }

            using (var energy = new EnergyVoiceDetector())
            {
                Time("vad energy detector", speech, a => energy.Detect(a));
            }

            RealSegmentation(Path.Combine(shared, "models", "pyannote-segmentation-3.0.int8.onnx"), speech);

            Console.WriteLine();
            SpeechIslandsOnASilentMeeting(ModelCatalog.Open(standIns), seconds);
        }
        finally
        {
            Directory.Delete(standIns, recursive: true);
        }

        if (Environment.GetEnvironmentVariable(ModelCatalog.EnvironmentVariable) is { Length: > 0 } real && Directory.Exists(real))
        {
            Console.WriteLine();
            Console.WriteLine($"Engines with the real weights in {real} (pyannote sample.wav, looped)");
            Engines(ModelCatalog.Open(real), speech, "real");
        }
        else
        {
            Console.WriteLine();
            Console.WriteLine($"Real weights: not measured (set {ModelCatalog.EnvironmentVariable} to a folder filled by models/fetch.sh)");
        }

        return 0;
    }

    private static void Engines(ModelCatalog catalog, float[] audio, string what)
    {
        var sessions = new OnnxSessionFactory(DeviceOptions.Cpu);
        Console.WriteLine($"{"engine",-36} {"RTF",8} {"x RT",8}");
        foreach (var entry in catalog.Entries.Where(e => e.Kind == ModelKinds.Asr && catalog.IsInstalled(e.Id)))
        {
            using var asr = AsrEngines.Create(catalog.Resolve(ModelKinds.Asr, entry.Id), sessions);
            Time($"asr {entry.Id}", audio, a => asr.Transcribe(a));
        }

        foreach (var backend in DiarizationEngines.Backends)
        {
            DiarizationModels models;
            try
            {
                models = DiarizationEngines.Resolve(backend, catalog);
            }
            catch (ModelCatalogException)
            {
                continue;
            }

            using var diarizer = DiarizationEngines.Create(backend, models, sessions);
            Time($"diarization {backend}", audio, a => diarizer.Diarize(a));
            if (backend == DiarizationEngines.Senko && DiarizationEngines.CreateEmbedder(models, sessions) is { } embedder)
            {
                using (embedder)
                {
                    var clips = Enumerable.Range(0, (int)(audio.Length / 16000 / 3)).Select(i => (ReadOnlyMemory<float>)audio.AsMemory(i * 48000, 48000)).ToArray();
                    Time($"embedding {models.Embedding!.Entry.Id} (3 s clips)", audio, _ => embedder.Embed(clips));
                }
            }
        }

        try
        {
            var asrModel = catalog.Resolve(ModelKinds.Asr, null);
            var diarization = DiarizationEngines.Resolve(DiarizationEngines.Senko, catalog);
            using var pipeline = new TranscriptionPipeline(AsrEngines.Create(asrModel, sessions), DiarizationEngines.Create(DiarizationEngines.Senko, diarization, sessions), null, new PipelineOptions());
            Time($"pipeline {asrModel.Entry.Id} + senko", audio, a => pipeline.Run(a, 0));
        }
        catch (ModelCatalogException e)
        {
            Console.WriteLine($"pipeline ({what}): not measured: {e.Message}");
        }
    }

    /// <summary>
    /// The real int8 pyannote segmentation-3.0 shipped in shared/models (one 10 s window per run), on real speech:
    /// windows every 1 s (the senko default) and every 10 s (no overlap).
    /// </summary>
    private static void RealSegmentation(string path, float[] speech)
    {
        if (!File.Exists(path))
        {
            Console.WriteLine($"segmentation pyannote-3.0 int8: not measured ({path} is absent)");
            return;
        }

        using var segmentation = new PyannoteSegmentation(new PyannoteSegmentationModel(new OnnxSessionFactory(DeviceOptions.Cpu).Create(path, "segmentation"), path));
        Time("segmentation pyannote int8 1 s step", speech, a => segmentation.Segment(a, 16000));
        Time("segmentation pyannote int8 10 s step", speech, a => segmentation.Segment(a, 160000));
    }

    /// <summary>
    /// What speech islands save: the share of the audio ASR hears and the real-time factors, with whole windows and
    /// with islands (energy detector, stand-in VAD), over live windows (45 s every 15 s) and the final pass (600 s).
    /// </summary>
    private static void SpeechIslandsOnASilentMeeting(ModelCatalog catalog, double seconds)
    {
        var meeting = ToneMeetingGenerator.Generate(new MeetingSpec { DurationSeconds = seconds, Speakers = 3, Seed = 6, SilentShare = 0.3 });
        var audio = meeting.Render(ToneMeeting.SystemStream, Muesli.Core.AudioFormat.Asr).Select(s => s / 32768f).ToArray();
        Console.WriteLine(
            $"Speech islands on a tone meeting that is 30 % silent ({meeting.Silences.Count} stretches, {meeting.Silences.Sum(x => x.T1 - x.T0):F0} s of {seconds:F0} s), "
            + "stand-in TDT + senko; live: 45 s windows every 15 s, final: 600 s windows; RTF per second of window audio");
        Console.WriteLine($"{"configuration",-32} {"pass",-6} {"ASR share",10} {"ASR RTF",9} {"pipeline RTF",13} {"WER",7}");
        var sessions = new OnnxSessionFactory(DeviceOptions.Cpu);
        var configurations = new (string Name, SpeechIslandOptions? Islands, bool Vad)[]
        {
            ("whole windows (no islands)", null, false),
            ("islands, energy detector", SpeechIslandOptions.Default, false),
            ("islands, stand-in Silero VAD", SpeechIslandOptions.Default, true),
        };
        foreach (var (name, islands, withVad) in configurations)
        {
            foreach (var (pass, length, step) in new[] { ("live", 45.0, 15.0), ("final", 600.0, 600.0) })
            {
                var asr = new TimedAsr(AsrEngines.Create(catalog.Resolve(ModelKinds.Asr, ToneTdtModel.Id), sessions));
                var diarizer = DiarizationEngines.Create(DiarizationEngines.Senko, DiarizationEngines.Resolve(DiarizationEngines.Senko, catalog), sessions);
                IVoiceActivityDetector? vad = withVad ? new SileroVad(catalog.Resolve(ModelKinds.Vad, null), sessions) : null;
                using var pipeline = new TranscriptionPipeline(asr, diarizer, vad, new PipelineOptions { Islands = islands });
                double windowSeconds = 0, asrSeconds = 0;
                var words = new List<Muesli.Core.Transcripts.Word>();
                var watch = Stopwatch.StartNew();
                for (var start = 0.0; start < seconds; start += step)
                {
                    var from = (int)(start * 16000);
                    var to = Math.Min(audio.Length, (int)((start + length) * 16000));
                    var result = pipeline.Run(audio.AsSpan(from, to - from), start);
                    windowSeconds += result.Duration;
                    asrSeconds += result.AsrSeconds;
                    words.AddRange(result.Words);
                    if (to == audio.Length)
                    {
                        break;
                    }
                }

                var pipelineRtf = watch.Elapsed.TotalSeconds / windowSeconds;
                var wer = pass == "final" ? Scoring.WordErrorRate(meeting.ReferenceText(), string.Join(' ', words.OrderBy(w => w.Start).Select(w => w.Text))) : double.NaN;
                Console.WriteLine($"{name,-32} {pass,-6} {asrSeconds / windowSeconds,10:P1} {asr.Elapsed.TotalSeconds / windowSeconds,9:F4} {pipelineRtf,13:F4} {(double.IsNaN(wer) ? "" : wer.ToString("P1", System.Globalization.CultureInfo.InvariantCulture)),7}");
            }
        }
    }

    private static void Time(string name, float[] audio, Action<float[]> run)
    {
        run(audio.AsSpan(0, Math.Min(audio.Length, 16000 * 10)).ToArray());
        var watch = Stopwatch.StartNew();
        run(audio);
        var rtf = watch.Elapsed.TotalSeconds / (audio.Length / 16000.0);
        Console.WriteLine($"{name,-36} {rtf,8:F4} {1 / rtf,8:F0}");
    }

    private static void FrontEnd(string name, float[] audio, float[] clip, Action<float[]> vectorised, Action<float[]> scalar)
    {
        vectorised(clip);
        var watch = Stopwatch.StartNew();
        vectorised(audio);
        var fast = (audio.Length / 16000.0) / watch.Elapsed.TotalSeconds;
        watch.Restart();
        scalar(clip);
        var slow = (clip.Length / 16000.0) / watch.Elapsed.TotalSeconds;
        Console.WriteLine($"{name,-28} {fast,16:F0} {slow,12:F1} {fast / slow,8:F0}x");
    }

    private static float[] Loop(float[] audio, double seconds)
    {
        var looped = new float[(int)(seconds * 16000)];
        for (var i = 0; i < looped.Length; i += audio.Length)
        {
            audio.AsSpan(0, Math.Min(audio.Length, looped.Length - i)).CopyTo(looped.AsSpan(i));
        }

        return looped;
    }

    private static string SharedFolder()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "..", "shared");
            if (File.Exists(Path.Combine(dir.FullName, "Muesli.Actors.sln")) && Directory.Exists(candidate))
            {
                return Path.GetFullPath(candidate);
            }
        }

        throw new DirectoryNotFoundException("../shared (test audio and models) must be beside the repository");
    }

    /// <summary>An ASR engine that counts the time spent in it.</summary>
    private sealed class TimedAsr(IAsrEngine inner) : IAsrEngine
    {
        private readonly Stopwatch watch = new();

        public string Name => inner.Name;

        public TimeSpan Elapsed => watch.Elapsed;

        public IReadOnlyList<Muesli.Core.Transcripts.Word> Transcribe(ReadOnlySpan<float> samples16k)
        {
            watch.Start();
            try
            {
                return inner.Transcribe(samples16k);
            }
            finally
            {
                watch.Stop();
            }
        }

        public void Dispose() => inner.Dispose();
    }
}
