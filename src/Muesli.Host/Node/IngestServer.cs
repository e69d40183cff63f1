using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Akka.Actor;
using Microsoft.Extensions.Logging;
using Muesli.Actors;
using Muesli.Actors.Sessions;
using Muesli.Core.Protocol;

namespace Muesli.Host.Node;

/// <summary>What the ingest role needs to serve a connection.</summary>
public sealed record IngestSettings
{
    public int MaxMeetings { get; init; } = 200;

    /// <summary>Events queued for a client that does not read, before it is cut off.</summary>
    public int OutputQueue { get; init; } = 4096;

    /// <summary>How long the last events (a meeting's result, an error) may take to reach the client before it is closed.</summary>
    public TimeSpan Linger { get; init; } = TimeSpan.FromSeconds(10);
}

/// <summary>
/// The ingest role: a TCP listener whose every connection carries one meeting, served by a
/// <see cref="MeetingSession"/> exactly as the backend serves stdin. Reads are asynchronous and back-pressured by the
/// session (a client that sends faster than its meeting is recorded is slowed by TCP); writes go through a bounded
/// queue per connection. A connection beyond <see cref="IngestSettings.MaxMeetings"/> gets <c>node_full</c>.
/// </summary>
public sealed class IngestServer
{
    private readonly TcpListener _listener;
    private readonly IngestSettings _settings;
    private readonly Func<Stream, IEventOutput, TaskCompletionSource<int>, string, IActorRef> _startSession;
    private readonly ActorSystem _system;
    private readonly ILogger _log;
    private readonly ConcurrentDictionary<long, Connection> _connections = new();
    private readonly CancellationTokenSource _stopping = new();
    private Task _accepting = Task.CompletedTask;
    private long _next;

    /// <param name="startSession">Starts the session of one connection: its input, its output, its completion, a unique name.</param>
    public IngestServer(
        IPEndPoint endpoint,
        IngestSettings settings,
        ActorSystem system,
        Func<Stream, IEventOutput, TaskCompletionSource<int>, string, IActorRef> startSession,
        ILogger log)
    {
        _listener = new TcpListener(endpoint);
        _settings = settings;
        _system = system;
        _startSession = startSession;
        _log = log;
    }

    /// <summary>The address actually bound (port 0 takes a free one).</summary>
    public IPEndPoint LocalEndpoint => (IPEndPoint)_listener.LocalEndpoint;

    public void Start()
    {
        _listener.Start(backlog: 512);
        _accepting = AcceptAllAsync();
        _log.LogInformation("ingest listening on {Endpoint}, at most {Max} meetings", LocalEndpoint, _settings.MaxMeetings);
    }

    /// <summary>
    /// Stops accepting, tells every client <c>node_stopping</c> and waits (up to <paramref name="limit"/>) for their
    /// connections to close. The meetings themselves stay open: the clients reconnect, here or elsewhere.
    /// </summary>
    public async Task DrainAsync(TimeSpan limit)
    {
        _stopping.Cancel();
        _listener.Stop();
        await _accepting;
        foreach (var connection in _connections.Values)
        {
            connection.Session.Tell(SessionCommands.NodeStopping.Instance);
        }

        var deadline = Task.Delay(limit);
        while (!_connections.IsEmpty && !deadline.IsCompleted)
        {
            await Task.WhenAny(Task.WhenAll(_connections.Values.Select(c => c.Served)), deadline);
        }

        foreach (var connection in _connections.Values)
        {
            connection.Client.Dispose();
        }
    }

    /// <summary>Closes the listener and every connection at once (the node was downed: nothing it holds is valid).</summary>
    public void Abort()
    {
        _stopping.Cancel();
        _listener.Stop();
        foreach (var connection in _connections.Values)
        {
            connection.Client.Dispose();
        }
    }

    private async Task AcceptAllAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stopping.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                if (!_stopping.IsCancellationRequested)
                {
                    _log.LogError(e, "ingest stopped accepting connections");
                }

                return;
            }

            var id = Interlocked.Increment(ref _next);
            _ = ServeAsync(id, client);
        }
    }

    private async Task ServeAsync(long id, TcpClient client)
    {
        var peer = client.Client.RemoteEndPoint?.ToString() ?? "?";
        try
        {
            client.NoDelay = true;
            var socket = client.GetStream();
            var output = new SocketEventOutput(socket, _settings.OutputQueue);
            if (_connections.Count >= _settings.MaxMeetings)
            {
                _log.LogWarning("connection {Id} from {Peer} refused: {Count} meetings already connected", id, peer, _connections.Count);
                output.Write(new MuesliEvents.Error(
                    $"node_full: this node serves at most {_settings.MaxMeetings} meetings at once; connect to another node or retry later"));
                await output.CompleteAsync(_settings.Linger);
                return;
            }

            var done = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
            var served = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var session = _startSession(socket, output, done, $"connection-{id}");
            _connections[id] = new Connection(session, client, served.Task);
            MuesliMetrics.ConnectionOpened();
            _log.LogInformation("connection {Id} from {Peer}", id, peer);
            try
            {
                var ended = await Task.WhenAny(done.Task, output.Overflowed);
                if (ended == output.Overflowed && !done.Task.IsCompleted)
                {
                    _log.LogWarning("connection {Id} from {Peer}: the client stopped reading its events; closing it", id, peer);
                    _system.Stop(session);
                }

                await output.CompleteAsync(_settings.Linger);
            }
            finally
            {
                _connections.TryRemove(id, out _);
                MuesliMetrics.ConnectionClosed();
                served.TrySetResult();
            }

            _log.LogInformation("connection {Id} from {Peer} closed", id, peer);
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or InvalidOperationException)
        {
            _log.LogWarning("connection {Id} from {Peer} failed: {Reason}", id, peer, e.Message);
        }
        finally
        {
            await CloseGracefullyAsync(client);
        }
    }

    /// <summary>
    /// Ends our side first and discards what the client still sends for a moment: closing a socket with unread input
    /// resets it, and a reset can destroy the last events (an error, the result) before the client reads them.
    /// </summary>
    private static async Task CloseGracefullyAsync(TcpClient client)
    {
        try
        {
            client.Client.Shutdown(SocketShutdown.Send);
            using var linger = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            var sink = new byte[16 * 1024];
            while (await client.Client.ReceiveAsync(sink, SocketFlags.None, linger.Token) > 0)
            {
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or OperationCanceledException or InvalidOperationException)
        {
            // Gone already, or still talking after the grace period: closed either way.
        }
        finally
        {
            client.Dispose();
        }
    }

    private sealed record Connection(IActorRef Session, TcpClient Client, Task Served);
}
