namespace Psd2.AppHost.Telemetry;

/// <summary>
/// A fixed-capacity buffer that overwrites its oldest item when full. The array is allocated once, so what it holds
/// never grows past <see cref="Capacity"/> items. Safe for one writer and many readers at once.
/// </summary>
public sealed class RingBuffer<T>
{
    private readonly T[] _items;
    private readonly Lock _gate = new();
    private int _next;
    private int _count;
    private long _added;

    public RingBuffer(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _items = new T[capacity];
    }

    public int Capacity => _items.Length;

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _count;
            }
        }
    }

    /// <summary>Items ever added, the overwritten included.</summary>
    public long TotalAdded
    {
        get
        {
            lock (_gate)
            {
                return _added;
            }
        }
    }

    public void Add(T item)
    {
        lock (_gate)
        {
            AddLocked(item);
        }
    }

    public void AddRange(IEnumerable<T> items)
    {
        lock (_gate)
        {
            foreach (var item in items)
            {
                AddLocked(item);
            }
        }
    }

    /// <summary>A copy of what the buffer holds, oldest first.</summary>
    public T[] Snapshot()
    {
        lock (_gate)
        {
            var copy = new T[_count];
            var start = (_next - _count + _items.Length) % _items.Length;
            var firstPart = Math.Min(_count, _items.Length - start);
            Array.Copy(_items, start, copy, 0, firstPart);
            Array.Copy(_items, 0, copy, firstPart, _count - firstPart);
            return copy;
        }
    }

    private void AddLocked(T item)
    {
        _items[_next] = item;
        _next = (_next + 1) % _items.Length;
        _count = Math.Min(_count + 1, _items.Length);
        _added++;
    }
}
