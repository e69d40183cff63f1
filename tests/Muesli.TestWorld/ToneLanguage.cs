namespace Muesli.TestWorld;

/// <summary>
/// The tone world's language: 20 words, each a tone burst at its own frequency, and up to six speakers, each a
/// steady "voice" tone in a band of its own above the words. Levels and timing are chosen together with the
/// stand-in ASR model (<see cref="ToneCtcModel"/>), which hears the words through the real NeMo front end.
/// </summary>
public static class ToneLanguage
{
    public static readonly IReadOnlyList<string> Words =
    [
        "alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliett",
        "kilo", "lima", "mike", "november", "oscar", "papa", "quebec", "romeo", "sierra", "tango",
    ];

    public const int MaxSpeakers = 6;

    /// <summary>Word k's tone (Hz).</summary>
    public static double WordFrequency(int word) => WordFrequencies[word];

    /// <summary>
    /// Measured through the NeMo front end (<see cref="ToneResponse"/>): at 80 and at 128 mel bins each word's
    /// −3 dB core bins are its own, and every other word leaks into them at least 8 dB under a 0.001 noise floor.
    /// </summary>
    public static readonly IReadOnlyList<double> WordFrequencies =
    [
        250, 370, 490, 610, 740, 860, 990, 1130, 1270, 1390, 1540, 1670, 1800, 1950, 2080, 2230, 2410, 2600, 2810, 3030,
    ];

    /// <summary>Speaker s's voice tone (Hz): 3.5–5.5 kHz in 400 Hz steps, well clear of the highest word.</summary>
    public static double VoiceFrequency(int speaker) => 3500 + 400 * speaker;

    /// <summary>
    /// Peak amplitude of a word's tone (full scale 1.0): about 22 dB over the default noise floor in its mel bins,
    /// loud enough to stand out, quiet enough that its sidelobes stay under the floor in the other words' bins.
    /// </summary>
    public const double WordAmplitude = 0.002;

    /// <summary>Amplitude of a speaker's voice tone while the speaker talks.</summary>
    public const double VoiceAmplitude = 0.002;

    /// <summary>Raised-cosine ramp at each end of a word, and of a voice.</summary>
    public const double RampSeconds = 0.015;

    public const int MinWordMilliseconds = 160;
    public const int MaxWordMilliseconds = 320;
    public const int MinGapMilliseconds = 80;
    public const int MaxGapMilliseconds = 400;
    public const int MinTurnMilliseconds = 1000;
    public const int MaxTurnMilliseconds = 20000;

    /// <summary>Speaker label as diarization output names it: SPEAKER_00, SPEAKER_01, …</summary>
    public static string SpeakerLabel(int speaker) => $"SPEAKER_{speaker:00}";

    /// <summary>The word whose name is <paramref name="text"/> (case-insensitive), or −1.</summary>
    public static int IndexOf(string text)
    {
        for (var k = 0; k < Words.Count; k++)
        {
            if (string.Equals(Words[k], text, StringComparison.OrdinalIgnoreCase))
            {
                return k;
            }
        }

        return -1;
    }
}
