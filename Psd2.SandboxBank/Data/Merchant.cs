namespace Psd2.SandboxBank.Data;

/// <summary>A card acceptor and the range its receipts fall in, in minor units.</summary>
internal sealed record Merchant(string Name, long MinMinor, long MaxMinor, int Skew = 2)
{
    /// <summary>Mean of min + (max - min) * u^skew for uniform u.</summary>
    public double Mean => MinMinor + ((MaxMinor - MinMinor) / (double)(Skew + 1));

    // Raising u to a power leans receipts to the low end: most purchases are small, a few are large.
    public long Draw(ref SplitMix64 random)
    {
        var u = random.NextDouble();
        var scaled = u;
        for (var i = 1; i < Skew; i++)
        {
            scaled *= u;
        }

        return MinMinor + (long)((MaxMinor - MinMinor) * scaled);
    }
}
