using System.Collections.Immutable;
using System.Text.Json.Serialization;
using Muesli.Actors.Persistence;
using Muesli.Actors.Serialization;
using Muesli.Actors.Sharding;
using Muesli.Core.Protocol;
using Muesli.Core.Transcripts;
using Muesli.Core.Windows;

namespace Muesli.Actors.Finalize;

public static class FinalizeCommands
{
    /// <summary>From the stream, once its live chunk in flight is drained. Idempotent: a started saga continues.</summary>
    public sealed record StartFinalize(
        string StreamId, string MeetingId, StreamKind Stream, long TotalBytes, bool Transcribe, MeetingSettings? Settings = null)
        : IWithStreamId, IMuesliMessage;

    public sealed record GetSagaState(string StreamId) : IWithStreamId, IMuesliMessage;
}

/// <summary>What a <see cref="FinalizeSaga"/> persists: one event per step, so a crash resumes where it stopped.</summary>
public interface ISagaEvent : IMuesliPersisted;

/// <summary>One finalize window's results on the meeting clock.</summary>
public sealed record FinalWindow(
    int Index,
    Window Window,
    IReadOnlyList<LabelledWord> Words,
    IReadOnlyList<SpeakerSegment> Segments,
    IReadOnlyDictionary<string, float[]> Embeddings,
    string? Error);

public static class SagaEvents
{
    public sealed record SagaStarted(
        string MeetingId, StreamKind Stream, long TotalBytes, bool Transcribe, IReadOnlyList<Window> Windows, MeetingSettings? Settings = null)
        : ISagaEvent;

    public sealed record WindowDone(FinalWindow Result) : ISagaEvent;

    public sealed record ResultPublished : ISagaEvent;

    public sealed record Retained : ISagaEvent;

    public sealed record Completed : ISagaEvent;
}

public enum SagaStep
{
    NotStarted,
    Transcribing,
    Publishing,
    Retaining,
    Reporting,
    Done,
}

/// <summary>A saga's state: its plan and the steps done.</summary>
public sealed record SagaState(
    SagaEvents.SagaStarted? Plan,
    ImmutableSortedDictionary<int, FinalWindow> Windows,
    bool Published,
    bool Retained,
    bool Completed) : IMuesliPersisted, IEventSourcedState<SagaState, ISagaEvent>
{
    public static readonly SagaState Empty = new(null, ImmutableSortedDictionary<int, FinalWindow>.Empty, false, false, false);

    [JsonIgnore]
    public SagaStep Step => this switch
    {
        { Plan: null } => SagaStep.NotStarted,
        { Completed: true } => SagaStep.Done,
        { Retained: true } => SagaStep.Reporting,
        { Published: true } => SagaStep.Retaining,
        _ when Windows.Count < Plan.Windows.Count => SagaStep.Transcribing,
        _ => SagaStep.Publishing,
    };

    /// <summary>The first window without a result, or -1 when all have one.</summary>
    [JsonIgnore]
    public int NextWindow => Enumerable.Range(0, Plan?.Windows.Count ?? 0).Where(i => !Windows.ContainsKey(i)).DefaultIfEmpty(-1).First();

    public SagaState Apply(ISagaEvent e) => e switch
    {
        SagaEvents.SagaStarted s => this with { Plan = s },
        SagaEvents.WindowDone w => this with { Windows = Windows.SetItem(w.Result.Index, w.Result) },
        SagaEvents.ResultPublished => this with { Published = true },
        SagaEvents.Retained => this with { Retained = true },
        SagaEvents.Completed => this with { Completed = true },
        _ => throw new ArgumentOutOfRangeException(nameof(e), e.GetType().Name, "unknown saga event"),
    };
}
