using Muesli.Audio;
using Muesli.Core.Protocol;
using Muesli.Core.Recovery;
using Muesli.Host.Composition;
using Muesli.Inference.Vad;

namespace Muesli.Host.Reprocess;

/// <summary>What one stream of one session gave: its turns (recovered ones merged in) and speakers, or why not.</summary>
public sealed record StreamOutcome(MuesliEvents.Result? Result, IReadOnlyList<string> Errors)
{
    /// <summary>Whether the engines could not be built: the command's exit code 2 rather than 1.</summary>
    public bool ModelsUnavailable => Errors.Any(e => e.StartsWith("models_unavailable", StringComparison.Ordinal));
}

/// <summary>
/// One stream of one session through the <see cref="FileTranscriber"/> — the path of <c>muesli transcribe</c> and of a
/// live meeting's final pass — reporting its stages, then the recovery pass when a voice detector is given: the speech
/// the transcript missed is transcribed again, window by window, and merged in.
/// </summary>
public sealed class StreamReprocessor(
    FileTranscriber transcriber,
    IReadOnlyDictionary<string, object> settings,
    IVoiceActivityDetector? recoveryDetector,
    Action<MuesliEvent> emit,
    Action<string> log)
{
    private const int SampleRate = 16000;

    // The detector reads this much audio at a time, so a long recording is never held whole.
    private const int DetectorBlockSamples = 10 * 60 * SampleRate;

    public RecoveryOptions Recovery { get; init; } = RecoveryOptions.Default;

    public async Task<StreamOutcome> RunAsync(string path, StreamKind stream)
    {
        var name = stream.Name();
        var stages = new StageReport(name, emit);
        stages.Reach("transcribing");
        FileOutcome outcome;
        try
        {
            using var audio = AudioFile.Open(path);
            outcome = await transcriber.TranscribeAsync(new FileJob(path, audio.Read)
            {
                Stream = stream,
                Settings = settings,
                Events = e =>
                {
                    switch (e)
                    {
                        case MuesliEvents.PassProgress pass when pass.Done >= pass.Windows:
                            stages.Reach("diarizing");
                            break;
                        case MuesliEvents.Stage { Name: "merging" }:
                            stages.Reach("merging");
                            break;
                    }
                },
            });
        }
        catch (AudioFileException e)
        {
            return new StreamOutcome(null, [$"{Path.GetFileName(path)}: {e.Message}"]);
        }

        if (outcome.Result is not { } result)
        {
            return new StreamOutcome(null, outcome.Errors.Count > 0 ? outcome.Errors : [$"{name}: no result (exit code {outcome.ExitCode})"]);
        }

        // A stream too short for a window reports no progress; its stages still read in order.
        stages.Reach("merging");
        if (recoveryDetector is null)
        {
            return new StreamOutcome(result, []);
        }

        var windows = SpeechRecovery.Windows(Speech(path).Select(r => (r.Start, r.End)), result.Turns, result.Duration, Recovery);
        emit(new MuesliEvents.StreamStage("recovering", name, windows.Count));
        var recovered = await RecoverAsync(path, stream, windows);
        var turns = SpeechRecovery.MergeIn(result.Turns, recovered);
        var speakers = result.Speakers.ToList();
        foreach (var id in turns.Select(t => t.SpeakerId).Distinct().Where(id => speakers.All(s => s.SpeakerId != id)))
        {
            speakers.Add(new MuesliEvents.KnownSpeaker(id, id));
        }

        log($"{Path.GetFileName(path)}: recovery: {windows.Count} window(s), {turns.Count - result.Turns.Count} turn(s) added");
        return new StreamOutcome(result with { Turns = turns, Speakers = speakers }, []);
    }

    /// <summary>The detector's speech regions over the whole recording, read block by block.</summary>
    private List<SpeechRegion> Speech(string path)
    {
        var regions = new List<SpeechRegion>();
        using var audio = AudioFile.Open(path);
        var block = new float[DetectorBlockSamples];
        long at = 0;
        int filled;
        while ((filled = Fill(audio, block)) > 0)
        {
            var offset = at / (double)SampleRate;
            foreach (var region in recoveryDetector!.Detect(block.AsSpan(0, filled)))
            {
                var shifted = new SpeechRegion(region.Start + offset, region.End + offset);

                // Speech running across a block boundary is one region, not two.
                if (regions.Count > 0 && regions[^1].End >= offset - 0.05 && shifted.Start <= offset + 0.05)
                {
                    regions[^1] = regions[^1] with { End = shifted.End };
                }
                else
                {
                    regions.Add(shifted);
                }
            }

            at += filled;
        }

        return regions;
    }

    /// <summary>Each window's audio as a small recording of its own; its turns come back on the stream's clock.</summary>
    private async Task<List<MuesliEvents.ResultTurn>> RecoverAsync(string path, StreamKind stream, IReadOnlyList<RecoveryWindow> windows)
    {
        var recovered = new List<MuesliEvents.ResultTurn>();
        if (windows.Count == 0)
        {
            return recovered;
        }

        using var audio = AudioFile.Open(path);
        long position = 0;
        foreach (var window in windows)
        {
            var start = (long)Math.Round(window.Start * SampleRate);
            var end = (long)Math.Round(window.End * SampleRate);
            position += Skip(audio, start - position);
            var sliceStart = position;
            var slice = new float[Math.Max(0, end - sliceStart)];
            var length = Fill(audio, slice);
            position += length;
            if (length == 0)
            {
                continue;
            }

            var read = 0;
            var outcome = await transcriber.TranscribeAsync(new FileJob($"{Path.GetFileName(path)}@{window.Start:F2}", destination =>
            {
                var n = Math.Min(destination.Length, length - read);
                slice.AsSpan(read, n).CopyTo(destination);
                read += n;
                return n;
            })
            {
                Stream = stream,
                Settings = settings,
            });
            if (outcome.Result is not { } result)
            {
                log($"{Path.GetFileName(path)}: recovery window {window.Start:F2}–{window.End:F2} s gave no transcript ({string.Join("; ", outcome.Errors)}); left out");
                continue;
            }

            var offset = sliceStart / (double)SampleRate;
            recovered.AddRange(result.Turns.Select(t => t with { T0 = t.T0 + offset, T1 = t.T1 + offset }));
        }

        return recovered;
    }

    private static int Fill(AudioInput audio, Span<float> destination)
    {
        var filled = 0;
        int got;
        while (filled < destination.Length && (got = audio.Read(destination[filled..])) > 0)
        {
            filled += got;
        }

        return filled;
    }

    private static long Skip(AudioInput audio, long samples)
    {
        var scratch = new float[(int)Math.Min(Math.Max(samples, 0), SampleRate)];
        long skipped = 0;
        while (skipped < samples)
        {
            var got = Fill(audio, scratch.AsSpan(0, (int)Math.Min(scratch.Length, samples - skipped)));
            if (got == 0)
            {
                break;
            }

            skipped += got;
        }

        return skipped;
    }

    /// <summary>The stream's stages, each reported once and in order, whichever event reaches it first.</summary>
    private sealed class StageReport(string stream, Action<MuesliEvent> emit)
    {
        private static readonly string[] Order = ["transcribing", "diarizing", "merging"];
        private readonly Lock _gate = new();
        private int _reached = -1;

        public void Reach(string stage)
        {
            var index = Array.IndexOf(Order, stage);
            lock (_gate)
            {
                while (_reached < index)
                {
                    _reached++;
                    emit(new MuesliEvents.StreamStage(Order[_reached], stream));
                }
            }
        }
    }
}
