using Muesli.Core.Transcripts;
using Muesli.Inference.Diarization.Sortformer;

namespace Muesli.Inference.Tests.Sortformer;

public sealed class SpeakerClipsTests
{
    [Fact]
    public void A_speakers_longest_stretches_without_overlap_come_first_up_to_the_limit()
    {
        SpeakerSegment[] segments =
        [
            new(0, 4, "A"),
            new(3, 5, "B"),
            new(6, 7, "A"),
            new(8, 16, "A"),
            new(10, 11, "B"),
        ];

        // A alone: [0, 3), [6, 7), [8, 10), [11, 16) — longest first: 5, 3, 2 (cut to 1 to make 9 s).
        var clips = SpeakerClips.Choose(segments, "A", maxSeconds: 9);

        Assert.Equal([(0.0, 3.0), (8.0, 9.0), (11.0, 16.0)], clips);
    }

    [Fact]
    public void Everything_alone_is_taken_when_under_the_limit()
    {
        SpeakerSegment[] segments = [new(0, 2, "A"), new(1, 3, "B"), new(5, 6, "B")];

        Assert.Equal([(2.0, 3.0), (5.0, 6.0)], SpeakerClips.Choose(segments, "B", maxSeconds: 10));
    }

    [Fact]
    public void A_speaker_never_alone_is_embedded_from_its_own_segments()
    {
        SpeakerSegment[] segments = [new(0, 10, "A"), new(2, 4, "B"), new(3, 5, "B")];

        Assert.Equal([(2.0, 5.0)], SpeakerClips.Choose(segments, "B", maxSeconds: 10));
    }

    [Fact]
    public void A_speaker_without_segments_has_no_clips()
    {
        Assert.Empty(SpeakerClips.Choose([new SpeakerSegment(0, 1, "A")], "B", maxSeconds: 10));
    }
}
