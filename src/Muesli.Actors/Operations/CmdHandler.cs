using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Sharding;
using Muesli.Actors.Persistence;
using Muesli.Actors.Sharding;
using Muesli.Actors.Streams;
using Muesli.Actors.Transcripts;
using static Muesli.Actors.Inference.WorkerMessages;

namespace Muesli.Actors.Operations;

/// <summary>
/// Runs the console's commands inside the cluster, at <see cref="CmdProtocol.ServicePath"/> on every node. Each
/// command is answered from this node's view (membership, the router) or by asking every member's
/// <see cref="OperationsRegistry"/> (streams and meetings); it touches no state of its own, so commands run side by side.
/// </summary>
public sealed class CmdHandler : ReceiveActor
{
    private static readonly TimeSpan AskLimit = TimeSpan.FromSeconds(5);

    /// <summary>How long <c>streams replay</c> waits for a final pass before it answers that the pass goes on (the console waits 30 s).</summary>
    private static readonly TimeSpan ReplayLimit = TimeSpan.FromSeconds(20);
    private readonly MuesliRegions _regions;
    private readonly MeetingOptions _meeting;
    private readonly ActorSystem _system;

    public CmdHandler(MuesliRegions regions, MeetingOptions meeting)
    {
        _regions = regions;
        _meeting = meeting;
        _system = Context.System;
        Receive<CmdPing>(_ => Sender.Tell(new CmdPong(Node(Cluster.Get(_system).SelfAddress))));
        Receive<CmdRequest>(request => RunAsync(request).PipeTo(Sender));
    }

    public static Props Props(MuesliRegions regions, MeetingOptions meeting) => Akka.Actor.Props.Create(() => new CmdHandler(regions, meeting));

    private async Task<CmdReply> RunAsync(CmdRequest request)
    {
        var (_, args, error) = CmdPalettes.Bind(request.Palette, request.Command, request.Args);
        if (error is not null)
        {
            return CmdReply.Failed(error);
        }

        try
        {
            return (request.Palette, request.Command) switch
            {
                ("cluster", "show") => ClusterShow(),
                ("cluster", "leave") => ClusterLeave(args["address"]),
                ("cluster", "down-unreachable") => DownUnreachable(),
                ("cluster-sharding", "regions") => Regions(),
                ("cluster-sharding", "region-stats") => await RegionStatsAsync(args["type"]),
                ("meetings", "list") => Meetings(await StreamsAsync()),
                ("meetings", "show") => await MeetingShowAsync(args["meeting"]),
                ("streams", "list") => StreamTable(await StreamsAsync(), facts: new Dictionary<string, object?>()),
                ("streams", "show") => await StreamShowAsync(args["stream"]),
                ("streams", "finalize") => await StreamFinalizeAsync(args["stream"]),
                ("streams", "replay") => await StreamReplayAsync(args["id"]),
                ("workers", "show") => WorkersTable(await _regions.Router.Ask<RouterStatus>(new GetRouterStatus(), AskLimit)),
                ("workers", "drain") => await WorkerSetAsync(args["slot"], drain: true),
                ("workers", "resume") => await WorkerSetAsync(args["slot"], drain: false),
                _ => CmdReply.Failed($"'{request.Palette} {request.Command}' has no handler on this node"),
            };
        }
        catch (AskTimeoutException)
        {
            return CmdReply.Failed($"timed out: '{request.Palette} {request.Command}' got no answer inside the cluster within {AskLimit.TotalSeconds:0} s");
        }
    }

    private CmdReply ClusterShow()
    {
        var cluster = Cluster.Get(_system);
        var state = cluster.State;
        var rows = state.Members
            .OrderBy(m => m.Address.ToString(), StringComparer.Ordinal)
            .Select(m => (IReadOnlyList<object?>)[m.Address.ToString(), string.Join(",", m.Roles.Order(StringComparer.Ordinal)), m.Status.ToString(), state.Unreachable.Contains(m) ? "unreachable" : "reachable"])
            .ToArray();
        return CmdReply.Of(
            new Dictionary<string, object?> { ["leader"] = state.Leader?.ToString(), ["answered_by"] = cluster.SelfAddress.ToString() },
            new CmdTable("members", ["address", "roles", "status", "reachability"], rows));
    }

    private CmdReply ClusterLeave(string text)
    {
        var cluster = Cluster.Get(_system);
        if (FindMember(cluster, text) is not { } member)
        {
            return CmdReply.Failed($"unknown member '{text}' (members: {string.Join(", ", cluster.State.Members.Select(m => Node(m.Address)))})");
        }

        cluster.Leave(member.Address);
        return CmdReply.Of(new Dictionary<string, object?> { ["leaving"] = member.Address.ToString() });
    }

    private CmdReply DownUnreachable()
    {
        var cluster = Cluster.Get(_system);
        var downed = cluster.State.Unreachable.Select(m => m.Address).ToArray();
        foreach (var address in downed)
        {
            cluster.Down(address);
        }

        return CmdReply.Of(
            new Dictionary<string, object?> { ["downed_count"] = downed.Length },
            new CmdTable("downed", ["address"], downed.Select(a => (IReadOnlyList<object?>)[a.ToString()]).ToArray()));
    }

    private static Member? FindMember(Cluster cluster, string text)
        => cluster.State.Members.FirstOrDefault(m => m.Address.ToString() == text || Node(m.Address) == text);

    private CmdReply Regions()
    {
        var names = ClusterSharding.Get(_system).ShardTypeNames.Order(StringComparer.Ordinal).ToArray();
        return CmdReply.Of(new Dictionary<string, object?>(), new CmdTable("regions", ["type"], names.Select(n => (IReadOnlyList<object?>)[n]).ToArray()));
    }

    private async Task<CmdReply> RegionStatsAsync(string type)
    {
        var sharding = ClusterSharding.Get(_system);
        if (!sharding.ShardTypeNames.Contains(type))
        {
            return CmdReply.Failed($"unknown region type '{type}' (types: {string.Join(", ", sharding.ShardTypeNames.Order(StringComparer.Ordinal))})");
        }

        var stats = await sharding.ShardRegion(type).Ask<ClusterShardingStats>(new GetClusterShardingStats(AskLimit), AskLimit + TimeSpan.FromSeconds(1));
        var rows = stats.Regions
            .OrderBy(r => r.Key.ToString(), StringComparer.Ordinal)
            .Select(r => (IReadOnlyList<object?>)[r.Key.ToString(), r.Value.Stats.Count, r.Value.Stats.Values.Sum()])
            .ToArray();
        return CmdReply.Of(new Dictionary<string, object?> { ["type"] = type }, new CmdTable("nodes", ["node", "shards", "entities"], rows));
    }

    /// <summary>Every member's streams; a member that does not answer in time is named in the reply, not waited for.</summary>
    private async Task<(IReadOnlyList<(string Node, StreamSummary Stream)> Streams, IReadOnlyList<string> Unanswered)> StreamsAsync()
    {
        var members = Cluster.Get(_system).State.Members.Where(m => m.Status is MemberStatus.Up or MemberStatus.Leaving or MemberStatus.Joining or MemberStatus.WeaklyUp).ToArray();
        var asks = members.Select(async m =>
        {
            try
            {
                return (Node(m.Address), await _system.ActorSelection($"{m.Address}/user/{OperationsRegistry.Name}")
                    .Ask<OperationsRegistry.LocalStreams>(new OperationsRegistry.ListStreams(), AskLimit));
            }
            catch (AskTimeoutException)
            {
                return (Node(m.Address), (OperationsRegistry.LocalStreams?)null);
            }
        });
        var answers = await Task.WhenAll(asks);
        return (
            answers.Where(a => a.Item2 is not null).SelectMany(a => a.Item2!.Streams.Select(s => (a.Item2.Node, s))).OrderBy(s => s.s.StreamId, StringComparer.Ordinal).ToArray(),
            answers.Where(a => a.Item2 is null).Select(a => a.Item1).ToArray());
    }

    private static double Seconds(long bytes) => Math.Round(Core.AudioFormat.Asr.SecondsOf(bytes), 1);

    private static CmdReply StreamTable((IReadOnlyList<(string Node, StreamSummary Stream)> Streams, IReadOnlyList<string> Unanswered) found, Dictionary<string, object?> facts)
    {
        if (found.Unanswered.Count > 0)
        {
            facts["unanswered"] = string.Join(", ", found.Unanswered);
        }

        var rows = found.Streams.Select(x => (IReadOnlyList<object?>)
        [
            x.Stream.StreamId, x.Stream.MeetingId, x.Node, x.Stream.Lifecycle.ToString().ToLowerInvariant(), Seconds(x.Stream.RecordedBytes),
            x.Stream.LastProcessedByte, x.Stream.LagSeconds, x.Stream.ChunkInFlight,
        ]).ToArray();
        return CmdReply.Of(facts, new CmdTable("streams", ["id", "meeting", "node", "state", "duration_s", "lastProcessedByte", "lag_s", "chunk_in_flight"], rows));
    }

    private async Task<CmdReply> StreamShowAsync(string id)
    {
        var found = await StreamsAsync();
        if (found.Streams.FirstOrDefault(s => s.Stream.StreamId == id) is not { Stream: not null } hit)
        {
            return UnknownStream(id, found.Streams);
        }

        var s = hit.Stream;
        return CmdReply.Of(new Dictionary<string, object?>
        {
            ["id"] = s.StreamId,
            ["meeting"] = s.MeetingId,
            ["node"] = hit.Node,
            ["state"] = s.Lifecycle.ToString().ToLowerInvariant(),
            ["duration_s"] = Seconds(s.RecordedBytes),
            ["recorded_bytes"] = s.RecordedBytes,
            ["lastProcessedByte"] = s.LastProcessedByte,
            ["lag_s"] = s.LagSeconds,
            ["transcribed"] = s.Transcribed,
            ["chunk_in_flight"] = s.ChunkInFlight,
            ["chunks_committed"] = s.ChunksCommitted,
            ["passes_timed"] = s.Passes,
            ["pass_p50_s"] = s.PassP50,
            ["pass_p95_s"] = s.PassP95,
            ["overlap_frames_dropped"] = s.DroppedFrames,
            ["retries"] = s.Retries,
            ["errors"] = s.Errors,
            ["last_error"] = s.LastError,
        });
    }

    private async Task<CmdReply> StreamFinalizeAsync(string id)
    {
        var found = await StreamsAsync();
        if (found.Streams.FirstOrDefault(s => s.Stream.StreamId == id) is not { Stream: not null } hit)
        {
            return UnknownStream(id, found.Streams);
        }

        if (hit.Stream.Lifecycle != StreamLifecycle.Live)
        {
            return CmdReply.Failed($"stream '{id}' is {hit.Stream.Lifecycle.ToString().ToLowerInvariant()}, not live");
        }

        // The same STOP a client's MEETING_STOP sends: the stream drains its chunk in flight and starts its finalize saga.
        var accepted = await _regions.Streams.Ask<StreamCommands.StopAccepted>(new StreamCommands.StopStream(id), AskLimit);
        return CmdReply.Of(new Dictionary<string, object?> { ["finalizing"] = accepted.StreamId, ["total_bytes"] = accepted.TotalBytes });
    }

    /// <summary>
    /// The meeting of a stream (or a meeting id) rebuilt from the journal and the PCM logs, as <c>muesli replay</c> does
    /// offline: damage is refused with its range; a finalized meeting publishes its journaled result again; one that is
    /// not is finalized, its result going to its subscribers as a client's STOP would. The reply carries the turns.
    /// </summary>
    private async Task<CmdReply> StreamReplayAsync(string id)
    {
        var meetingId = id;
        try
        {
            meetingId = EntityIds.ParseStreamId(id).MeetingId;
        }
        catch (ArgumentException)
        {
            // Not a stream id: a meeting id.
        }

        using var limit = new CancellationTokenSource(ReplayLimit);
        ReplayOutcome outcome;
        try
        {
            outcome = await new MeetingReplay(_system, _regions, _meeting) { JournalTimeout = AskLimit }.ReplayAsync(meetingId, limit.Token);
        }
        catch (OperationCanceledException)
        {
            return CmdReply.Of(new Dictionary<string, object?>
            {
                ["meeting"] = meetingId,
                ["state"] = "finalizing",
                ["note"] = $"the final pass was still running after {ReplayLimit.TotalSeconds:0} s; its result goes to the meeting's subscribers when it ends (see streams list)",
            });
        }
        catch (Exception e) when (e is TimeoutException or InvalidOperationException)
        {
            return CmdReply.Failed($"the journal cannot be read: {e.Message} (check the node's journal connection)");
        }

        switch (outcome.Status)
        {
            case ReplayStatus.UnknownMeeting:
                return CmdReply.Failed($"unknown stream '{id}': the journal holds no meeting '{meetingId}'");
            case ReplayStatus.Damaged:
                return CmdReply.Failed(string.Join("\n", outcome.Damage.Select(d => d.Message)));
        }

        var result = outcome.Result!;
        string published;
        if (outcome.RanFinalPass)
        {
            published = "by the final pass, to the meeting's subscribers";
        }
        else
        {
            var again = await _regions.Transcripts.Ask<TranscriptCommands.Republished>(new TranscriptCommands.Republish(meetingId), AskLimit);
            published = $"again, to {again.Subscribers} subscriber{(again.Subscribers == 1 ? "" : "s")}";
        }

        var facts = new Dictionary<string, object?>
        {
            ["meeting"] = meetingId,
            ["source"] = outcome.RanFinalPass ? "final pass" : "journal",
            ["published"] = published,
            ["duration_s"] = Math.Round(result.Duration, 1),
            ["speakers"] = result.Speakers.Count,
            ["turn_count"] = result.Turns.Count,
        };
        if (outcome.Errors.Count > 0)
        {
            facts["errors"] = string.Join("; ", outcome.Errors);
        }

        var rows = result.Turns.Select(t => (IReadOnlyList<object?>)[Math.Round(t.T0, 3), Math.Round(t.T1, 3), t.Stream, t.SpeakerId, t.Text]).ToArray();
        return CmdReply.Of(facts, new CmdTable("turns", ["t0", "t1", "stream", "speaker_id", "text"], rows));
    }

    private static CmdReply UnknownStream(string id, IReadOnlyList<(string Node, StreamSummary Stream)> streams)
        => CmdReply.Failed($"unknown stream '{id}' ({(streams.Count == 0 ? "no stream runs" : "streams: " + string.Join(", ", streams.Select(s => s.Stream.StreamId)))})");

    /// <summary>One meeting: its connection, settings and speakers from its aggregator, and its streams.</summary>
    private async Task<CmdReply> MeetingShowAsync(string meeting)
    {
        var found = await StreamsAsync();
        var mine = found.Streams.Where(s => s.Stream.MeetingId == meeting).ToArray();
        if (mine.Length == 0)
        {
            return CmdReply.Failed($"unknown meeting '{meeting}' ({(found.Streams.Count == 0 ? "no meeting runs" : "meetings: " + string.Join(", ", found.Streams.Select(s => s.Stream.MeetingId).Distinct()))})");
        }

        var about = await _regions.Transcripts.Ask<TranscriptCommands.MeetingDescription>(new TranscriptCommands.DescribeMeeting(meeting), AskLimit);
        var facts = new Dictionary<string, object?>
        {
            ["meeting"] = meeting,
            ["state"] = about.Finalized ? "finalized" : string.Join(",", mine.Select(s => s.Stream.Lifecycle.ToString().ToLowerInvariant()).Distinct()),
            ["connections"] = about.Connections.Count,
            ["connection"] = about.Connections.Count == 0 ? null : string.Join(", ", about.Connections),
            ["settings"] = about.Settings?.Describe() is { Length: > 0 } given ? given : null,
            ["duration_s"] = mine.Max(s => Seconds(s.Stream.RecordedBytes)),
            ["speakers"] = about.Speakers.Count,
            ["speaker_ids"] = string.Join(",", about.Speakers),
            ["segments"] = about.Segments,
        };
        return StreamTable((mine, found.Unanswered), facts);
    }

    private static CmdReply Meetings((IReadOnlyList<(string Node, StreamSummary Stream)> Streams, IReadOnlyList<string> Unanswered) found)
    {
        var rows = found.Streams
            .GroupBy(s => s.Stream.MeetingId ?? "")
            .Select(g => (IReadOnlyList<object?>)
            [
                g.Key, string.Join(",", g.Select(s => s.Stream.StreamId[(s.Stream.StreamId.LastIndexOf('/') + 1)..])),
                string.Join(",", g.Select(s => s.Node).Distinct()), string.Join(",", g.Select(s => s.Stream.Lifecycle.ToString().ToLowerInvariant()).Distinct()),
                g.Max(s => Seconds(s.Stream.RecordedBytes)),
            ]).ToArray();
        var facts = new Dictionary<string, object?>();
        if (found.Unanswered.Count > 0)
        {
            facts["unanswered"] = string.Join(", ", found.Unanswered);
        }

        return CmdReply.Of(facts, new CmdTable("meetings", ["meeting", "streams", "nodes", "state", "duration_s"], rows));
    }

    private static CmdReply WorkersTable(RouterStatus status)
    {
        var rows = status.Workers.Select(w => (IReadOnlyList<object?>)
        [
            w.Id, w.Node, w.Slot, w.Provider, (w.Draining ? "drained" : "") + (w.Draining && w.Busy ? "," : "") + (w.Busy ? "busy" : w.Draining ? "" : "idle"),
            w.CurrentStream, w.Runs, w.Failures, w.LastChunkAt?.ToString("yyyy-MM-ddTHH:mm:ss.fffZ"),
        ]).ToArray();
        return CmdReply.Of(
            new Dictionary<string, object?> { ["queued_live"] = status.QueuedLive, ["queued_finalize"] = status.QueuedFinalize },
            new CmdTable("workers", ["slot", "node", "device", "provider", "state", "stream", "runs", "failures", "last_chunk"], rows));
    }

    private async Task<CmdReply> WorkerSetAsync(string slot, bool drain)
    {
        var status = await _regions.Router.Ask<RouterStatus>(new GetRouterStatus(), AskLimit);
        var matches = status.Workers.Where(w => w.Id == slot || w.Slot == slot).ToArray();
        if (matches.Length == 0)
        {
            return CmdReply.Failed($"unknown slot '{slot}' (slots: {string.Join(", ", status.Workers.Select(w => w.Id))})");
        }

        if (matches.Length > 1)
        {
            return CmdReply.Failed($"'{slot}' names {matches.Length} slots: give one of {string.Join(", ", matches.Select(w => w.Id))}");
        }

        var id = matches[0].Id;
        var after = await _regions.Router.Ask<RouterStatus>(drain ? new Drain(id) : new Resume(id), AskLimit);
        return WorkersTable(after);
    }

    private static string Node(Address address) => $"{address.Host}:{address.Port}";
}
