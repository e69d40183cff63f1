namespace Muesli.Audio;

/// <summary>A writer found that another has claimed its stream's files since it opened them: it must write nothing.</summary>
public sealed class LogFencedException(string message) : IOException(message);

/// <summary>
/// The claim of one writer on a stream's files, for a cluster whose stream nodes share the data dir. Opening the
/// stream writes <c>{stream}.owner</c> (a fresh token, by an atomic rename); every write first checks that the file
/// still holds that token. A node that was downed while it was paused (SIGSTOP, a long GC, a partition) and wakes up
/// finds another writer's token and writes nothing: two writers of one log is the failure this rules out. The check
/// is one <c>stat</c> while the owner file is unchanged, and a read of its few bytes when it changed.
/// </summary>
public sealed class LogFence
{
    private readonly string _token = Guid.NewGuid().ToString("N");
    private DateTime _seen;
    private bool _lost;

    private LogFence(string path)
    {
        Path = path;
    }

    public string Path { get; }

    /// <summary>Takes the stream's files over from any earlier writer.</summary>
    public static LogFence Claim(string directory, string streamName)
    {
        var fence = new LogFence(System.IO.Path.Combine(directory, $"{streamName}.owner"));
        var temporary = $"{fence.Path}.{fence._token}";
        File.WriteAllText(temporary, fence._token);
        File.Move(temporary, fence.Path, overwrite: true);
        fence._seen = File.GetLastWriteTimeUtc(fence.Path);
        return fence;
    }

    /// <summary>Whether this writer still owns the files; once lost, never regained.</summary>
    public bool Holds()
    {
        if (_lost)
        {
            return false;
        }

        var modified = File.GetLastWriteTimeUtc(Path);
        if (modified == _seen)
        {
            return true;
        }

        try
        {
            _lost = File.ReadAllText(Path) != _token;
        }
        catch (IOException)
        {
            _lost = true;
        }

        _seen = modified;
        return !_lost;
    }

    public void Check()
    {
        if (!Holds())
        {
            throw new LogFencedException($"{Path} names another writer: this stream was taken over elsewhere; nothing more is written here");
        }
    }

    /// <summary>The stream is finished: its owner file goes (only if this writer still holds it).</summary>
    public void Release()
    {
        if (Holds())
        {
            File.Delete(Path);
            _lost = true;
        }
    }
}
