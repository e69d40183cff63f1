using System.Text;
using Muesli.Inference.Asr.Whisper;

namespace Muesli.Inference.Tests.Whisper;

/// <summary>
/// A small vocabulary with Whisper's layout: text 0..9, eot 10, sot 11, languages en/de/fr 12..14, translate 15,
/// transcribe 16, startoflm 17, startofprev 18, nospeech 19, notimestamps 20, then 1501 timestamps from 21.
/// </summary>
internal static class TestVocabulary
{
    public const int Eot = 10;
    public const int Sot = 11;
    public const int English = 12;
    public const int German = 13;
    public const int French = 14;
    public const int Translate = 15;
    public const int Transcribe = 16;
    public const int NoSpeech = 19;
    public const int NoTimestamps = 20;
    public const int TimestampBegin = 21;
    public const int Size = TimestampBegin + 1501;

    /// <summary>Text token bytes. 8 and 9 split "ç" (C3 A7) between them.</summary>
    public static readonly byte[][] TextBytes =
    [
        Encoding.UTF8.GetBytes(" um"),
        Encoding.UTF8.GetBytes(" And"),
        Encoding.UTF8.GetBytes(" so"),
        Encoding.UTF8.GetBytes(" my"),
        Encoding.UTF8.GetBytes(" fellow"),
        Encoding.UTF8.GetBytes(" Americ"),
        Encoding.UTF8.GetBytes("ans"),
        Encoding.UTF8.GetBytes(","),
        [0x20, 0xC3],
        [0xA7, (byte)'a'],
    ];

    public static WhisperVocabulary Create(bool multilingual = false, IReadOnlyList<int>? nonSpeech = null) => new()
    {
        Size = Size,
        EndOfText = Eot,
        StartOfTranscript = Sot,
        Transcribe = Transcribe,
        NoTimestamps = NoTimestamps,
        NoSpeech = NoSpeech,
        IsMultilingual = multilingual,
        Languages = [new("en", English), new("de", German), new("fr", French)],
        NonSpeechTokens = nonSpeech ?? [],
    };

    /// <summary>The timestamp token of <paramref name="seconds"/> (a multiple of 0.02 s).</summary>
    public static int At(double seconds) => TimestampBegin + (int)Math.Round(seconds * 50);

    /// <summary>The lines of a tokens.txt for the text tokens, as the sherpa-onnx export writes them.</summary>
    public static IEnumerable<string> TokenLines() => TextBytes.Select((bytes, rank) => $"{Convert.ToBase64String(bytes)} {rank}");
}
