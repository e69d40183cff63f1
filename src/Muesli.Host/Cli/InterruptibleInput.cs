using System.Runtime.InteropServices;

namespace Muesli.Host.Cli;

/// <summary>
/// stdin with a graceful stop: the first SIGTERM/SIGINT ends the input, which finalizes the meeting like STOP;
/// a second one gives up at once.
/// </summary>
public sealed class InterruptibleInput(Stream inner) : ReadOnlyInput
{
    public const int ExitInterrupted = 130;

    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource<int> _killed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _signals;

    /// <summary>Completes with the exit code when a second signal asks to give up.</summary>
    public Task<int> Killed => _killed.Task;

    public void OnSignal(PosixSignalContext context)
    {
        context.Cancel = true;
        if (Interlocked.Increment(ref _signals) == 1)
        {
            Console.Error.WriteLine("muesli: stopping (finalizing the meeting); signal again to quit at once");
            _stop.Cancel();
        }
        else
        {
            _killed.TrySetResult(ExitInterrupted);
        }
    }

    public override int Read(byte[] buffer, int offset, int count)
    {
        if (_stop.IsCancellationRequested)
        {
            return 0;
        }

        try
        {
            // A console read may ignore cancellation; waiting on it with the token lets a signal end the input anyway.
            var read = inner.ReadAsync(buffer, offset, count, _stop.Token);
            read.Wait(_stop.Token);
            return read.Result;
        }
        catch (OperationCanceledException)
        {
            return 0;
        }
    }
}
