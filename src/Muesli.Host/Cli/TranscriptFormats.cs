using System.Globalization;
using System.Text;
using Muesli.Core.Protocol;

namespace Muesli.Host.Cli;

/// <summary>A meeting's final result written as the usual transcript and diarization formats.</summary>
public static class TranscriptFormats
{
    public static readonly IReadOnlyList<string> All = ["txt", "json", "srt", "vtt", "rttm"];

    public static string Write(string format, MuesliEvents.Result result, string fileId) => format switch
    {
        "txt" => Text(result),
        "json" => result.ToJson() + "\n",
        "srt" => Srt(result),
        "vtt" => Vtt(result),
        "rttm" => Rttm(result, fileId),
        _ => throw new ArgumentException($"unknown format '{format}' (known: {string.Join(", ", All)})"),
    };

    private static string Text(MuesliEvents.Result result)
    {
        var text = new StringBuilder();
        foreach (var t in result.Turns)
        {
            text.Append(CultureInfo.InvariantCulture, $"[{Clock(t.T0, '.')} - {Clock(t.T1, '.')}] {t.SpeakerId}: {t.Text}\n");
        }

        return text.ToString();
    }

    private static string Srt(MuesliEvents.Result result)
    {
        var text = new StringBuilder();
        for (var i = 0; i < result.Turns.Count; i++)
        {
            var t = result.Turns[i];
            text.Append(CultureInfo.InvariantCulture, $"{i + 1}\n{Clock(t.T0, ',')} --> {Clock(t.T1, ',')}\n{t.SpeakerId}: {t.Text}\n\n");
        }

        return text.ToString();
    }

    private static string Vtt(MuesliEvents.Result result)
    {
        var text = new StringBuilder("WEBVTT\n\n");
        foreach (var t in result.Turns)
        {
            text.Append(CultureInfo.InvariantCulture, $"{Clock(t.T0, '.')} --> {Clock(t.T1, '.')}\n<v {t.SpeakerId}>{t.Text}\n\n");
        }

        return text.ToString();
    }

    private static string Rttm(MuesliEvents.Result result, string fileId)
    {
        var text = new StringBuilder();
        foreach (var t in result.Turns)
        {
            text.Append(CultureInfo.InvariantCulture, $"SPEAKER {fileId} 1 {t.T0:F3} {t.T1 - t.T0:F3} <NA> <NA> {t.SpeakerId.Replace(' ', '_')} <NA> <NA>\n");
        }

        return text.ToString();
    }

    private static string Clock(double seconds, char decimalMark)
    {
        var t = TimeSpan.FromSeconds(Math.Max(0, seconds));
        return string.Create(CultureInfo.InvariantCulture, $"{(int)t.TotalHours:00}:{t.Minutes:00}:{t.Seconds:00}{decimalMark}{t.Milliseconds:000}");
    }
}
