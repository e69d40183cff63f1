using System.Text;
using System.Threading.Channels;
using Muesli.Actors.Sessions;
using Muesli.Core.Protocol;

namespace Muesli.Host.Node;

/// <summary>
/// A connection's JSONL events, written by one writer task so that the session never blocks on a client that reads
/// slowly. The queue is bounded: a client that stops reading until it overflows is cut off (<see cref="Overflowed"/>)
/// rather than allowed to hold the node's memory.
/// </summary>
public sealed class SocketEventOutput : IEventOutput
{
    private readonly Channel<byte[]> _lines;
    private readonly Stream _socket;
    private readonly Task _writer;
    private readonly TaskCompletionSource _overflowed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public SocketEventOutput(Stream socket, int capacity = 4096)
    {
        _socket = socket;
        _lines = Channel.CreateBounded<byte[]>(new BoundedChannelOptions(capacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
        _writer = Task.Run(WriteAllAsync);
    }

    /// <summary>Completes when the client stopped reading for so long that its queue filled, or its socket failed.</summary>
    public Task Overflowed => _overflowed.Task;

    public void Write(MuesliEvent e)
    {
        if (!_lines.Writer.TryWrite(Encoding.UTF8.GetBytes(e.ToJson() + "\n")))
        {
            _overflowed.TrySetResult();
        }
    }

    /// <summary>Sends what is queued, then returns; gives up after <paramref name="limit"/>.</summary>
    public async Task CompleteAsync(TimeSpan limit)
    {
        _lines.Writer.TryComplete();
        await Task.WhenAny(_writer, Task.Delay(limit));
    }

    private async Task WriteAllAsync()
    {
        try
        {
            await foreach (var line in _lines.Reader.ReadAllAsync())
            {
                await _socket.WriteAsync(line);
                if (_lines.Reader.Count == 0)
                {
                    await _socket.FlushAsync();
                }
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidOperationException)
        {
            // The client is gone: nothing more can reach it.
            _lines.Writer.TryComplete();
            _overflowed.TrySetResult();
        }
    }
}
