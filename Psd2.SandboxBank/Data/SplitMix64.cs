namespace Psd2.SandboxBank.Data;

/// <summary>
/// SplitMix64 (Steele, Lea and Flood, 2014): tiny state, so one can be seeded per account and day or per
/// transaction and thrown away, which is what makes any day generable without generating the days before it.
/// </summary>
internal struct SplitMix64(ulong seed)
{
    private ulong _state = seed;

    public ulong Next()
    {
        _state += 0x9E3779B97F4A7C15UL;
        return StableHash.Mix(_state);
    }

    /// <summary>Uniform in [0, n): the high bits scaled, which avoids the modulo's bias towards small values.</summary>
    public int Below(int n) => (int)(((Next() >> 32) * (ulong)n) >> 32);

    /// <summary>Uniform in [0, 1).</summary>
    public double NextDouble() => (Next() >> 11) * (1.0 / (1UL << 53));

    public bool Percent(int chance) => Below(100) < chance;

    public T Pick<T>(IReadOnlyList<T> items) => items[Below(items.Count)];
}
