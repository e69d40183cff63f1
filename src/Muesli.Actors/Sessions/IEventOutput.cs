using Muesli.Core.Protocol;

namespace Muesli.Actors.Sessions;

/// <summary>Where a session's JSONL goes: stdout for the backend, a socket for an ingest node.</summary>
public interface IEventOutput
{
    void Write(MuesliEvent e);
}

/// <summary>One JSON object per line on a text writer, flushed per event so the client sees it at once.</summary>
public sealed class JsonLinesOutput(TextWriter writer) : IEventOutput
{
    public void Write(MuesliEvent e)
    {
        writer.Write(e.ToJson());
        writer.Write('\n');
        writer.Flush();
    }
}
