using System.Collections.Immutable;
using Muesli.Core.Transcripts;

namespace Muesli.Core.Speakers;

/// <summary>The numbers of speaker linking.</summary>
public sealed record SpeakerLinkOptions
{
    /// <summary>A window's speaker joins a meeting speaker whose centroid is closer than this (cosine distance).</summary>
    public double MatchDistance { get; init; } = 0.5;

    /// <summary>A window's speaker farther than this from every meeting speaker is a new speaker.</summary>
    public double NewSpeakerDistance { get; init; } = 0.5;

    /// <summary>Without an embedding, a window's speaker joins the meeting speaker it overlaps most in the previous
    /// window, when they share at least this much time; else it is a new speaker.</summary>
    public double MinOverlapSeconds { get; init; } = 0.5;

    /// <summary>How a meeting speaker's id is made from its number (per stream).</summary>
    public Func<int, string> Naming { get; init; } = n => $"SPEAKER_{n:00}";
}

/// <summary>A meeting-wide speaker: its id, the running mean of its (L2-normalised) embeddings and their weight in seconds.</summary>
public sealed record LinkedSpeaker(string Id, float[]? Centroid, double Weight);

/// <summary>A speaker of one window: its local label, its embedding (if any), its speech in seconds, and its segments on the meeting clock.</summary>
public sealed record LocalSpeaker(string Label, float[]? Embedding, double Seconds, IReadOnlyList<SpeakerSegment> Segments);

/// <summary>What linking has learnt of a stream's speakers so far; replayed from persisted windows.</summary>
public sealed record SpeakerLinkState(ImmutableList<LinkedSpeaker> Speakers, ImmutableList<SpeakerSegment> LastSegments)
{
    public static readonly SpeakerLinkState Empty = new(ImmutableList<LinkedSpeaker>.Empty, ImmutableList<SpeakerSegment>.Empty);
}

/// <summary>
/// Links each window's local speakers (arbitrary labels per window) to stable meeting-wide speakers, so a person keeps
/// one id through a meeting's live segments. Pairs are matched one to one, closest first, by cosine distance to the
/// speakers' running centroids; a window speaker left over joins its nearest speaker when close enough, else becomes
/// a new speaker. A window speaker without an embedding is linked by the time it shares with the previous window's
/// speakers (the 30 s context is heard by both windows). Pure: <see cref="Update"/> replays deterministically.
/// </summary>
public static class SpeakerLinker
{
    /// <summary>
    /// A centroid remembers at most this much speech: past it, each window moves it as an exponential moving average,
    /// so a voice that changes slowly over a long meeting (another microphone, a tired speaker) is still followed.
    /// </summary>
    public const double CentroidMemorySeconds = 120;

    /// <summary>Local label → meeting-wide id, new ids numbered after the existing ones.</summary>
    public static IReadOnlyDictionary<string, string> Link(SpeakerLinkState state, IReadOnlyList<LocalSpeaker> locals, SpeakerLinkOptions options)
    {
        var mapping = new Dictionary<string, string>();
        var speakers = state.Speakers;
        var taken = new HashSet<string>();

        var pairs = (
                from local in locals
                where local.Embedding is not null
                from speaker in speakers
                where speaker.Centroid is not null
                let distance = AgglomerativeClustering.CosineDistance(local.Embedding, speaker.Centroid)
                orderby distance, local.Label, speaker.Id
                select (local, speaker, distance))
            .ToArray();
        foreach (var (local, speaker, distance) in pairs)
        {
            if (distance < options.MatchDistance && !mapping.ContainsKey(local.Label) && taken.Add(speaker.Id))
            {
                mapping[local.Label] = speaker.Id;
            }
        }

        var next = speakers.Count;
        foreach (var local in locals.OrderBy(l => l.Segments.Select(s => s.Start).DefaultIfEmpty(0).Min()).ThenBy(l => l.Label))
        {
            if (mapping.ContainsKey(local.Label))
            {
                continue;
            }

            var nearest = pairs.Where(p => p.local == local).Select(p => (p.speaker, p.distance)).FirstOrDefault();
            if (nearest.speaker is not null && nearest.distance < options.NewSpeakerDistance)
            {
                mapping[local.Label] = nearest.speaker.Id;
            }
            else if (local.Embedding is null && ByTime(state.LastSegments, local.Segments, options.MinOverlapSeconds) is { } byTime)
            {
                mapping[local.Label] = byTime;
            }
            else
            {
                mapping[local.Label] = options.Naming(next++);
            }
        }

        return mapping;
    }

    /// <summary>The state after a window linked by <paramref name="mapping"/>: centroids move toward the window's embeddings.</summary>
    public static SpeakerLinkState Update(SpeakerLinkState state, IReadOnlyList<LocalSpeaker> locals, IReadOnlyDictionary<string, string> mapping)
    {
        var speakers = state.Speakers;
        foreach (var local in locals)
        {
            var id = mapping[local.Label];
            var index = speakers.FindIndex(s => s.Id == id);
            var current = index >= 0 ? speakers[index] : new LinkedSpeaker(id, null, 0);
            var updated = Absorb(current, local);
            speakers = index >= 0 ? speakers.SetItem(index, updated) : speakers.Add(updated);
        }

        var segments = locals
            .SelectMany(l => l.Segments.Select(s => s with { Speaker = mapping[l.Label] }))
            .OrderBy(s => s.Start)
            .ToImmutableList();
        return new SpeakerLinkState(speakers, segments.IsEmpty ? state.LastSegments : segments);
    }

    private static LinkedSpeaker Absorb(LinkedSpeaker speaker, LocalSpeaker local)
    {
        if (local.Embedding is null)
        {
            return speaker;
        }

        var weight = Math.Max(local.Seconds, 1e-3);
        var embedding = Normalised(local.Embedding);
        if (speaker.Centroid is null)
        {
            return speaker with { Centroid = embedding, Weight = weight };
        }

        var total = Math.Min(speaker.Weight + weight, Math.Max(CentroidMemorySeconds, weight));
        var kept = total - weight;
        var centroid = new float[embedding.Length];
        for (var i = 0; i < centroid.Length; i++)
        {
            centroid[i] = (float)(((speaker.Centroid[i] * kept) + (embedding[i] * weight)) / total);
        }

        return speaker with { Centroid = Normalised(centroid), Weight = total };
    }

    /// <summary>The speaker of <paramref name="previous"/> that shares the most time (at least <paramref name="minSeconds"/>) with <paramref name="segments"/>, or null.</summary>
    public static string? ByTime(IReadOnlyList<SpeakerSegment> previous, IReadOnlyList<SpeakerSegment> segments, double minSeconds)
    {
        var shared = previous
            .GroupBy(s => s.Speaker)
            .Select(g => (Id: g.Key, Seconds: g.Sum(a => segments.Sum(b => Math.Max(0, Math.Min(a.End, b.End) - Math.Max(a.Start, b.Start))))))
            .Where(x => x.Seconds >= minSeconds)
            .OrderByDescending(x => x.Seconds)
            .ThenBy(x => x.Id, StringComparer.Ordinal)
            .FirstOrDefault();
        return shared.Id;
    }

    private static float[] Normalised(float[] v)
    {
        double norm = 0;
        foreach (var x in v)
        {
            norm += x * x;
        }

        norm = Math.Sqrt(norm);
        return norm == 0 ? v : v.Select(x => (float)(x / norm)).ToArray();
    }
}
