namespace Psd2.SandboxBank.Data;

/// <summary>A table to draw from in proportion to integer weights.</summary>
internal sealed class Weighted<T>
{
    private readonly T[] _items;
    private readonly int[] _cumulative;

    public Weighted(params (T Item, int Weight)[] entries)
    {
        _items = new T[entries.Length];
        _cumulative = new int[entries.Length];
        var total = 0;
        for (var i = 0; i < entries.Length; i++)
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(entries[i].Weight);
            total += entries[i].Weight;
            _items[i] = entries[i].Item;
            _cumulative[i] = total;
        }

        Total = total;
    }

    public int Total { get; }

    public T this[int index] => _items[index];

    /// <summary>Running totals of the weights, for callers that pick inline in a hot loop.</summary>
    public ReadOnlySpan<int> Cumulative => _cumulative;

    public ReadOnlySpan<T> Items => _items;

    public int PickIndex(ref SplitMix64 random)
    {
        var roll = random.Below(Total);
        var index = 0;
        while (_cumulative[index] <= roll)
        {
            index++;
        }

        return index;
    }

    /// <summary>The expected value of <paramref name="value"/> over a draw.</summary>
    public double Mean(Func<T, double> value)
    {
        var sum = 0.0;
        var previous = 0;
        for (var i = 0; i < _items.Length; i++)
        {
            sum += value(_items[i]) * (_cumulative[i] - previous);
            previous = _cumulative[i];
        }

        return sum / Total;
    }
}
