using Xunit;

namespace Muesli.Audio.Tests;

public sealed class AudioRingTests
{
    private static short[] Ramp(int from, int count) => Enumerable.Range(from, count).Select(i => (short)i).ToArray();

    private static float[] Floats(int from, int count) =>
        Enumerable.Range(from, count).Select(i => (short)i / 32768f).ToArray();

    [Fact]
    public void Holds_the_newest_bytes_addressed_like_the_log()
    {
        var ring = new AudioRing(capacityBytes: 200, startByte: 1000);

        ring.Append(Ramp(0, 60));
        ring.Append(Ramp(60, 70));

        Assert.Equal(1000 + (130 * 2) - 200, ring.Start);
        Assert.Equal(1000 + (130 * 2), ring.End);
        var destination = new float[100];
        Assert.True(ring.TryRead(ring.Start, ring.End, destination));
        Assert.Equal(Floats(30, 100), destination);
    }

    [Fact]
    public void A_range_reaching_outside_what_it_holds_is_not_served()
    {
        var ring = new AudioRing(capacityBytes: 200);
        ring.Append(Ramp(0, 150));

        var destination = new float[200];
        Assert.False(ring.TryRead(98, 120, destination));
        Assert.False(ring.TryRead(120, 302, destination));
        Assert.True(ring.TryRead(100, 300, destination));
        Assert.True(ring.TryRead(140, 180, destination));
        Assert.Equal(Floats(70, 20), destination[..20]);
    }

    [Fact]
    public void An_append_larger_than_the_ring_keeps_its_newest_part()
    {
        var ring = new AudioRing(capacityBytes: 20);
        ring.Append(Ramp(0, 3));
        ring.Append(Ramp(3, 25));

        Assert.Equal(36, ring.Start);
        Assert.Equal(56, ring.End);
        var destination = new float[10];
        Assert.True(ring.TryRead(36, 56, destination));
        Assert.Equal(Floats(18, 10), destination);
    }

    [Fact]
    public void Reset_forgets_and_restarts_at_an_offset()
    {
        var ring = new AudioRing(capacityBytes: 100);
        ring.Append(Ramp(0, 40));

        ring.Reset(5000);

        Assert.Equal(5000, ring.Start);
        Assert.Equal(5000, ring.End);
        Assert.False(ring.TryRead(0, 80, new float[40]));
        ring.Append(Ramp(7, 3));
        var destination = new float[3];
        Assert.True(ring.TryRead(5000, 5006, destination));
        Assert.Equal(Floats(7, 3), destination);
    }

    [Fact]
    public void Misaligned_ranges_are_refused()
    {
        var ring = new AudioRing(capacityBytes: 100);
        ring.Append(Ramp(0, 10));

        Assert.Throws<ArgumentOutOfRangeException>(() => ring.TryRead(1, 5, new float[2]));
        Assert.Throws<ArgumentOutOfRangeException>(() => ring.TryRead(6, 4, new float[2]));
        Assert.Throws<ArgumentOutOfRangeException>(() => ring.Reset(3));
    }
}
