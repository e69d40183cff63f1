using Muesli.Core;

namespace Muesli.Audio;

/// <summary>
/// A PCM WAV file written incrementally (the <c>--keep-wav</c> capture archive, at the original rate). The header's
/// sizes are rewritten on <see cref="Flush"/> and dispose; reopening an existing file of the same format continues
/// it, and <see cref="SetLength"/> cuts or pads it to a given frame count.
/// </summary>
public sealed class WavAppender : IDisposable
{
    public static WavAppender Open(string path, AudioFormat format) => throw new NotImplementedException();

    public AudioFormat Format => throw new NotImplementedException();

    public long Frames => throw new NotImplementedException();

    public void Append(ReadOnlySpan<byte> pcm) => throw new NotImplementedException();

    public void AppendSilence(long frames) => throw new NotImplementedException();

    /// <summary>Cuts the data to <paramref name="frames"/>, or pads it with silence up to that count.</summary>
    public void SetLength(long frames) => throw new NotImplementedException();

    public void Flush() => throw new NotImplementedException();

    public void Dispose() => throw new NotImplementedException();
}
