namespace Psd2.IntegrationTests.Harness;

internal static class Deadline
{
    /// <summary>A token that ends a wait on the app model (Aspire's resource states) after <paramref name="seconds"/>; conditions the tests poll go through <see cref="Eventually"/>.</summary>
    public static CancellationToken In(int seconds) => new CancellationTokenSource(TimeSpan.FromSeconds(seconds)).Token;
}
