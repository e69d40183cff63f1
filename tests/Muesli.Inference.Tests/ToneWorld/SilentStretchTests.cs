using System.Security.Cryptography;
using Muesli.Core;
using Muesli.TestWorld;
using Xunit;

namespace Muesli.Inference.Tests.ToneWorld;

public sealed class SilentStretchTests
{
    /// <summary>Fingerprints of meetings recorded before silent stretches existed: such meetings must not change.</summary>
    [Theory]
    [InlineData(16000, 1, "7A7EA1DFA2896B2467D1C819533E2CE4249A6ED65A26642340CA2579CDFC961D")]
    [InlineData(48000, 2, "A13E18113BC1A27944E40C67CB8E998AB218673CD4424418D284851233E2FABC")]
    public void A_meeting_without_silences_renders_as_it_did_before_they_existed(int rate, int channels, string expected)
    {
        var meeting = ToneMeetingGenerator.Generate(
            new MeetingSpec { DurationSeconds = 45, Speakers = 3, Seed = 17, OverlapRatio = 0.2, MicSpeakers = [1] });

        Assert.Equal(expected, Fingerprint(meeting, new AudioFormat(rate, channels)));
    }

    /// <summary>SHA-256 of every file <see cref="ToneMeeting.WriteTo"/> writes, in name order.</summary>
    private static string Fingerprint(ToneMeeting meeting, AudioFormat format)
    {
        var folder = Directory.CreateTempSubdirectory("tone-silence-").FullName;
        try
        {
            meeting.WriteTo(folder, format);
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            foreach (var file in Directory.GetFiles(folder).Order(StringComparer.Ordinal))
            {
                hash.AppendData(System.Text.Encoding.UTF8.GetBytes(Path.GetFileName(file)));
                hash.AppendData(File.ReadAllBytes(file));
            }

            return Convert.ToHexString(hash.GetHashAndReset());
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
