namespace Psd2.AppHost.Hosting;

/// <summary>A resource's console output: a bounded ring of numbered lines, so memory stays flat however long it runs.</summary>
public sealed class ConsoleLog(int capacity)
{
    private readonly Queue<ConsoleLine> _lines = new(capacity);
    private readonly Lock _gate = new();
    private long _next = 1;

    public event Action<ConsoleLine>? LineAdded;

    public void Add(string text, bool isError)
    {
        ConsoleLine line;
        lock (_gate)
        {
            line = new ConsoleLine(_next++, DateTimeOffset.UtcNow, text, isError);
            if (_lines.Count == capacity)
            {
                _lines.Dequeue();
            }

            _lines.Enqueue(line);
        }

        LineAdded?.Invoke(line);
    }

    /// <summary>Lines numbered after <paramref name="afterSequence"/>, oldest first.</summary>
    public IReadOnlyList<ConsoleLine> Since(long afterSequence)
    {
        lock (_gate)
        {
            return _lines.Where(line => line.Sequence > afterSequence).ToList();
        }
    }

    public IReadOnlyList<string> Tail(int count)
    {
        lock (_gate)
        {
            return _lines.Skip(Math.Max(0, _lines.Count - count)).Select(line => line.Text).ToList();
        }
    }
}

public sealed record ConsoleLine(long Sequence, DateTimeOffset Time, string Text, bool IsError);
