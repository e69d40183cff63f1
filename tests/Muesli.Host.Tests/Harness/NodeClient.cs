using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace Muesli.Host.Tests;

/// <summary>
/// A meeting client over TCP, as an app or an independent client would be: frames out, JSONL in, nothing else shared
/// with the node. <see cref="Closed"/> completes when the node closes the connection.
/// </summary>
public sealed class NodeClient : IAsyncDisposable
{
    private readonly TcpClient _tcp;
    private readonly NetworkStream _stream;
    private readonly List<string> _lines = [];
    private readonly Task _reader;

    private NodeClient(TcpClient tcp)
    {
        _tcp = tcp;
        _stream = tcp.GetStream();
        _reader = Task.Run(ReadAllAsync);
    }

    /// <summary>Completes when the node has closed the connection (end of its JSONL).</summary>
    public Task Closed => _reader;

    public IReadOnlyList<JsonElement> Events
    {
        get
        {
            lock (_lines)
            {
                return _lines.Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToArray();
            }
        }
    }

    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (_lines)
            {
                return _lines.ToArray();
            }
        }
    }

    public static async Task<NodeClient> ConnectAsync(string endpoint)
    {
        var colon = endpoint.LastIndexOf(':');
        var tcp = new TcpClient { NoDelay = true };
        await tcp.ConnectAsync(endpoint[..colon], int.Parse(endpoint[(colon + 1)..]));
        return new NodeClient(tcp);
    }

    public async Task SendAsync(byte[] bytes)
    {
        await _stream.WriteAsync(bytes);
        await _stream.FlushAsync();
    }

    /// <summary>Sends frames until they run out or the node closes the connection (then returns false).</summary>
    public async Task<bool> FeedAsync(IEnumerable<byte[]> frames)
    {
        try
        {
            foreach (var frame in frames)
            {
                await _stream.WriteAsync(frame);
            }

            await _stream.FlushAsync();
            return true;
        }
        catch (IOException)
        {
            return false;
        }
    }

    public async Task<JsonElement> WaitForEventAsync(Func<JsonElement, bool> predicate, TimeSpan limit)
    {
        var deadline = DateTime.UtcNow + limit;
        while (DateTime.UtcNow < deadline)
        {
            if (Events.FirstOrDefault(predicate) is { ValueKind: JsonValueKind.Object } found)
            {
                return found;
            }

            if (Closed.IsCompleted)
            {
                break;
            }

            await Task.Delay(20);
        }

        return Events.FirstOrDefault(predicate) is { ValueKind: JsonValueKind.Object } last
            ? last
            : throw new TimeoutException($"no such event within {limit}; the client got:\n{string.Join('\n', Lines.TakeLast(20))}");
    }

    public Task<JsonElement> WaitForStatusAsync(string message, TimeSpan limit)
        => WaitForEventAsync(e => e.TryGetProperty("message", out var m) && m.GetString() == message, limit);

    /// <summary>Waits for the node to close the connection; fails if it does not within <paramref name="limit"/>.</summary>
    public async Task WaitClosedAsync(TimeSpan limit)
    {
        if (await Task.WhenAny(Closed, Task.Delay(limit)) != Closed)
        {
            throw new TimeoutException($"the node did not close the connection within {limit}; the client got:\n{string.Join('\n', Lines.TakeLast(20))}");
        }
    }

    /// <summary>Drops the connection as a network blip or a crashed app would: no STOP.</summary>
    public void Drop()
    {
        _tcp.Client.LingerState = new LingerOption(true, 0);
        _tcp.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        _tcp.Dispose();
        await Task.WhenAny(_reader, Task.Delay(1000));
    }

    private async Task ReadAllAsync()
    {
        try
        {
            using var reader = new StreamReader(_stream, new UTF8Encoding(false), false, 64 * 1024, leaveOpen: true);
            while (await reader.ReadLineAsync() is { } line)
            {
                lock (_lines)
                {
                    _lines.Add(line);
                }
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or SocketException)
        {
            // Dropped by the test, or reset by the node: the connection is over either way.
        }
    }
}
