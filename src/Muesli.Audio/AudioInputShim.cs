namespace Muesli.Audio;

public sealed class AudioInput : IDisposable
{
    private readonly float[] _samples;
    private int _at;

    private AudioInput(float[] samples) => _samples = samples;

    public string Description => "WAV";

    public double? DurationSeconds => _samples.Length / 16000.0;

    public double SecondsRead => _at / 16000.0;

    public static AudioInput Open(string path) => new(AudioFile.Read16kMono(path));

    public int Read(Span<float> destination)
    {
        var n = Math.Min(destination.Length, _samples.Length - _at);
        _samples.AsSpan(_at, n).CopyTo(destination);
        _at += n;
        return n;
    }

    public void Dispose()
    {
    }
}
