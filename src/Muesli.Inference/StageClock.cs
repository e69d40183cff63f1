using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace Muesli.Inference;

/// <summary>
/// Process-wide totals of the time spent in each stage of transcription (features, ONNX runs, merging…), cheap
/// enough to be always on: a scope is a struct, and ending it is one timestamp and one interlocked add. Scopes nest
/// without counting twice: an outer scope's total gets only its own time, less that of the scopes it encloses on the
/// same thread (e.g. features computed inside something timed as inference count as features only). A scope must end
/// on the thread that began it, so it may not span an <c>await</c>. Thread-safe; totals sum over all threads, so
/// with concurrent work they may exceed the wall time.
/// </summary>
public static class StageClock
{
    /// <summary>Reading and decoding audio files and converting them to 16 kHz mono.</summary>
    public const string Decode = "decode";

    /// <summary>The front ends: log-mel and fbank features.</summary>
    public const string Features = "features";

    /// <summary>ONNX Runtime session runs.</summary>
    public const string Inference = "inference";

    /// <summary>Words to speakers, turn building, the final pass's relabelling and stitching.</summary>
    public const string Merge = "merge";

    private static readonly ConcurrentDictionary<string, StrongBox<long>> Ticks = new(StringComparer.Ordinal);

    // The ticks that scopes which ended on this thread have accounted for, their nested scopes' included.
    [ThreadStatic]
    private static long accounted;

    /// <summary>Begins timing <paramref name="stage"/> until the returned scope is disposed.</summary>
    public static Scope Time(string stage) => new(Ticks.GetOrAdd(stage, static _ => new StrongBox<long>()));

    /// <summary>Each stage's total so far, over all threads.</summary>
    public static IReadOnlyDictionary<string, TimeSpan> Totals()
        => Ticks.ToDictionary(
            p => p.Key,
            p => TimeSpan.FromSeconds((double)Interlocked.Read(ref p.Value.Value) / Stopwatch.Frequency),
            StringComparer.Ordinal);

    /// <summary>The total of one stage so far (zero if it never ran).</summary>
    public static TimeSpan Total(string stage)
        => Ticks.TryGetValue(stage, out var ticks) ? TimeSpan.FromSeconds((double)Interlocked.Read(ref ticks.Value) / Stopwatch.Frequency) : TimeSpan.Zero;

    /// <summary>Sets every total back to zero (scopes still open add their time when they end).</summary>
    public static void Reset()
    {
        foreach (var ticks in Ticks.Values)
        {
            Interlocked.Exchange(ref ticks.Value, 0);
        }
    }

    /// <summary>A stage being timed; dispose it once, on the thread that began it.</summary>
    public readonly struct Scope : IDisposable
    {
        private readonly StrongBox<long>? total;
        private readonly long start;
        private readonly long accountedAtStart;

        internal Scope(StrongBox<long> total)
        {
            this.total = total;
            accountedAtStart = accounted;
            start = Stopwatch.GetTimestamp();
        }

        public void Dispose()
        {
            if (total is null)
            {
                return;
            }

            var elapsed = Stopwatch.GetTimestamp() - start;
            var nested = accounted - accountedAtStart;
            Interlocked.Add(ref total.Value, elapsed - nested);
            accounted = accountedAtStart + elapsed;
        }
    }
}
