using System.Buffers.Binary;
using Akka.Actor;
using Muesli.Actors.Serialization;
using Muesli.Core;

namespace Muesli.Actors.Inference;

/// <summary>A worker asks a chunk's requester for the chunk's audio; the answer is its pieces, in order.</summary>
public sealed record FetchAudio(string StreamId, WorkPriority Priority, long Seq) : IMuesliMessage;

/// <summary>
/// Samples [<paramref name="Offset"/>, <paramref name="Offset"/> + n) of a chunk's <paramref name="Total"/>, as 16-bit
/// little-endian PCM: what the stream's log holds, so nothing is lost on the way.
/// </summary>
public sealed record AudioPiece(string StreamId, WorkPriority Priority, long Seq, int Offset, int Total, byte[] Pcm) : IMuesliMessage;

/// <summary>The requester no longer wants that chunk (it moved on, or restarted): the worker drops it.</summary>
public sealed record AudioGone(string StreamId, WorkPriority Priority, long Seq, string Reason) : IMuesliMessage;

/// <summary>
/// How a chunk's audio travels from the node that recorded it to the worker that runs it: in pieces far below
/// Akka.Remote's frame size, 16-bit PCM each, sent back to back (messages between two actors keep their order).
/// </summary>
public static class AudioPieces
{
    /// <summary>48 KiB of PCM per piece: with its JSON envelope about 66 KB, half the remote frame size's default.</summary>
    public const int PieceSamples = 24 * 1024;

    /// <summary>Sends samples held in memory (a live window from the stream's ring).</summary>
    public static void Send(IActorRef to, ChunkRequest request, ReadOnlySpan<float> samples, IActorRef sender)
    {
        for (var offset = 0; offset < samples.Length || offset == 0; offset += PieceSamples)
        {
            var count = Math.Min(PieceSamples, samples.Length - offset);
            var pcm = new byte[count * AudioFormat.BytesPerSample];
            for (var i = 0; i < count; i++)
            {
                var value = Math.Clamp(MathF.Round(samples[offset + i] * 32768f), short.MinValue, short.MaxValue);
                BinaryPrimitives.WriteInt16LittleEndian(pcm.AsSpan(i * AudioFormat.BytesPerSample), (short)value);
            }

            to.Tell(new AudioPiece(request.StreamId, request.Priority, request.Seq, offset, samples.Length, pcm), sender);
            if (samples.Length == 0)
            {
                return;
            }
        }
    }

    /// <summary>
    /// Sends the request's window straight from a PCM log file, one piece in memory at a time (a finalize window of
    /// ten minutes is never held whole). Throws <see cref="IOException"/> when the log is shorter than the window.
    /// </summary>
    public static void SendFromLog(IActorRef to, ChunkRequest request, string pcmPath, IActorRef sender)
    {
        using var file = File.OpenHandle(pcmPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        var window = request.Window;
        var length = RandomAccess.GetLength(file);
        if (length < window.ReadEnd)
        {
            throw new IOException($"{pcmPath} holds {length} bytes; the window needs [{window.ReadStart}, {window.ReadEnd})");
        }

        var total = request.SampleCount;
        for (var offset = 0; offset < total || offset == 0; offset += PieceSamples)
        {
            var count = Math.Min(PieceSamples, total - offset);
            var pcm = new byte[count * AudioFormat.BytesPerSample];
            var position = window.ReadStart + ((long)offset * AudioFormat.BytesPerSample);
            var read = 0;
            while (read < pcm.Length)
            {
                var n = RandomAccess.Read(file, pcm.AsSpan(read), position + read);
                if (n == 0)
                {
                    throw new IOException($"{pcmPath} ended at byte {position + read} inside the window [{window.ReadStart}, {window.ReadEnd})");
                }

                read += n;
            }

            to.Tell(new AudioPiece(request.StreamId, request.Priority, request.Seq, offset, total, pcm), sender);
            if (total == 0)
            {
                return;
            }
        }
    }

    /// <summary>A worker's copy of a chunk's audio while its pieces arrive.</summary>
    public sealed class Assembly(ChunkRequest request)
    {
        private readonly float[] _samples = new float[request.SampleCount];
        private int _received;

        public ChunkRequest Request { get; } = request;

        public bool Complete => _received >= _samples.Length;

        public float[] Samples => _samples;

        public bool Matches(string streamId, WorkPriority priority, long seq)
            => Request.StreamId == streamId && Request.Priority == priority && Request.Seq == seq;

        /// <summary>Adds a piece; a piece that does not continue what arrived is a broken transfer.</summary>
        public void Add(AudioPiece piece)
        {
            if (piece.Offset != _received || piece.Total != _samples.Length)
            {
                throw new InvalidOperationException(
                    $"audio of {Request.StreamId} #{Request.Seq}: piece at {piece.Offset} of {piece.Total} after {_received} of {_samples.Length}");
            }

            var count = piece.Pcm.Length / AudioFormat.BytesPerSample;
            for (var i = 0; i < count; i++)
            {
                _samples[_received + i] = BinaryPrimitives.ReadInt16LittleEndian(piece.Pcm.AsSpan(i * AudioFormat.BytesPerSample)) / 32768f;
            }

            _received += count;
        }
    }
}
