using System.Text.Json;
using Akka.Event;

namespace Muesli.Actors.Inference;

/// <summary>
/// One log line per run a worker starts and ends, in one parseable shape
/// (<c>run_log {"slot":…,"event":"start"|"end",…}</c>): which device ran what, when, and how it ended. An operator
/// greps it; the cluster tests read it to prove that no slot ever ran two chunks at once. A host gives it a
/// <c>sink</c> (its own log category) so that it is not filtered out with Akka's chatter.
/// </summary>
public sealed class WorkerRunLog(ILoggingAdapter log, Action<string>? sink = null)
{
    public const string Marker = "run_log ";

    public void Started(string slot, ChunkRequest request) => Write(slot, "start", request, null);

    public void Finished(string slot, ChunkRequest request, string outcome) => Write(slot, "end", request, outcome);

    private void Write(string slot, string what, ChunkRequest request, string? outcome)
    {
        var line = JsonSerializer.Serialize(new
        {
            slot,
            @event = what,
            stream = request.StreamId,
            priority = request.Priority.ToString().ToLowerInvariant(),
            seq = request.Seq,
            attempt = request.Attempt,
            outcome,
            t = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
        });
        if (sink is not null)
        {
            sink(Marker + line);
        }
        else
        {
            log.Info("{0}{1}", Marker, line);
        }
    }
}
