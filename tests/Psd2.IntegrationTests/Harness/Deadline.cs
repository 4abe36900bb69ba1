namespace Psd2.IntegrationTests.Harness;

internal static class Deadline
{
    /// <summary>A token that ends a wait after <paramref name="seconds"/>: tests wait for conditions, never sleep blindly.</summary>
    public static CancellationToken In(int seconds) => new CancellationTokenSource(TimeSpan.FromSeconds(seconds)).Token;
}
