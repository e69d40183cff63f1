using System.Text.Json;
using Muesli.Core;

namespace Muesli.TestWorld;

/// <summary>A meeting on disk: its audio and its truth, in the formats scoring tools read.</summary>
internal static class TruthFiles
{
    public const string MeetingWav = "meeting.wav";
    public const string TruthJson = "truth.json";
    public const string TruthRttm = "truth.rttm";
    public const string TruthText = "truth.txt";

    public static void Write(ToneMeeting meeting, string directory, AudioFormat format)
    {
        ToneSynthesis.Validate(format);
        Directory.CreateDirectory(directory);
        WriteWav(meeting, ToneMeeting.AllStreams, Path.Combine(directory, MeetingWav), format);
        if (meeting.Spec.MicSpeakers.Count > 0)
        {
            foreach (var stream in new[] { ToneMeeting.SystemStream, ToneMeeting.MicStream })
            {
                WriteWav(meeting, stream, Path.Combine(directory, stream + ".wav"), format);
            }
        }

        File.WriteAllText(Path.Combine(directory, TruthJson), ToJson(meeting));
        File.WriteAllText(Path.Combine(directory, TruthRttm), meeting.ToRttm("meeting"));
        File.WriteAllText(Path.Combine(directory, TruthText), meeting.ReferenceText() + "\n");
    }

    /// <summary>{"words":[{text,t0,t1,speaker,stream}], "turns":[{speaker,stream,t0,t1}], "silences":[{t0,t1,noise}], "duration"}.</summary>
    public static string ToJson(ToneMeeting meeting)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteStartArray("words");
            foreach (var word in meeting.Words)
            {
                json.WriteStartObject();
                json.WriteString("text", word.Text);
                json.WriteNumber("t0", Math.Round(word.T0, 3));
                json.WriteNumber("t1", Math.Round(word.T1, 3));
                json.WriteString("speaker", word.Speaker);
                json.WriteString("stream", word.Stream);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteStartArray("turns");
            foreach (var turn in meeting.Turns)
            {
                json.WriteStartObject();
                json.WriteString("speaker", turn.Speaker);
                json.WriteString("stream", turn.Stream);
                json.WriteNumber("t0", Math.Round(turn.T0, 3));
                json.WriteNumber("t1", Math.Round(turn.T1, 3));
                json.WriteEndObject();
            }

            json.WriteEndArray();
            if (meeting.Silences.Count > 0)
            {
                // Only when there are any, so the truth of a meeting without silences reads as it always did.
                json.WriteStartArray("silences");
                foreach (var silence in meeting.Silences)
                {
                    json.WriteStartObject();
                    json.WriteNumber("t0", Math.Round(silence.T0, 3));
                    json.WriteNumber("t1", Math.Round(silence.T1, 3));
                    json.WriteNumber("noise", silence.NoiseLevel);
                    json.WriteEndObject();
                }

                json.WriteEndArray();
            }

            json.WriteNumber("duration", meeting.Duration);
            json.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static void WriteWav(ToneMeeting meeting, string stream, string path, AudioFormat format)
        => WavFile.Write(path, format, block => ToneSynthesis.RenderBlocks(meeting, stream, format, block));
}
