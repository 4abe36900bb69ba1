namespace Psd2.SandboxBank.Data;

/// <summary>
/// Hashes that are the same in every process and on every machine: string.GetHashCode and System.Random are not,
/// and the bank must show the same transactions after a restart.
/// </summary>
internal static class StableHash
{
    private const ulong Golden = 0x9E3779B97F4A7C15UL;

    /// <summary>The SplitMix64 finaliser: every input bit affects every output bit.</summary>
    public static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    public static ulong Of(ulong a, ulong b) => Mix(a ^ Mix(b + Golden));

    public static ulong Of(ulong a, ulong b, ulong c) => Of(Of(a, b), c);

    public static ulong Of(ulong a, ulong b, ulong c, ulong d) => Of(Of(Of(a, b), c), d);

    /// <summary>FNV-1a over the UTF-16 code units, then mixed.</summary>
    public static ulong Of(string text)
    {
        var hash = 0xCBF29CE484222325UL;
        foreach (var c in text)
        {
            hash = (hash ^ c) * 0x100000001B3UL;
        }

        return Mix(hash);
    }
}
