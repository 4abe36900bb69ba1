using System.Diagnostics;

namespace Psd2.IntegrationTests.Harness;

/// <summary>
/// The one way tests wait for something the app does in its own time: a probe repeated until what it returns holds,
/// or the test fails at the deadline saying what it waited for and what it saw last. Never a fixed sleep, and never
/// an assertion on how long the machine took.
/// <code>var run = await Eventually.Holds(ct => api.GetFromJsonAsync&lt;SyncRun&gt;(url, ct), r => r!.Finished, Eventually.Seconds(60), "the sync run to finish");</code>
/// </summary>
internal static class Eventually
{
    private static readonly TimeSpan DefaultInterval = TimeSpan.FromMilliseconds(200);

    /// <summary>The probe's first value that holds.</summary>
    /// <param name="what">What the test waits for, for the failure message.</param>
    /// <param name="every">How long to wait between two probes (default 200 ms).</param>
    public static async Task<T> Holds<T>(Func<CancellationToken, Task<T>> probe, Func<T, bool> holds, TimeSpan within, string what, TimeSpan? every = null)
    {
        using var deadline = new CancellationTokenSource(within);
        var started = Stopwatch.GetTimestamp();
        var last = "nothing yet";
        while (true)
        {
            try
            {
                var value = await probe(deadline.Token);
                if (holds(value))
                {
                    return value;
                }

                last = Describe(value);
            }
            catch (OperationCanceledException) when (deadline.IsCancellationRequested)
            {
                // The probe itself ran into the deadline: reported below.
            }

            if (deadline.IsCancellationRequested)
            {
                Assert.Fail($"Waited {Stopwatch.GetElapsedTime(started).TotalSeconds:0} s for {what}; it did not happen. Last seen: {last}");
            }

            try
            {
                await Task.Delay(every ?? DefaultInterval, deadline.Token);
            }
            catch (OperationCanceledException)
            {
                // The deadline passed: the next turn fails.
            }
        }
    }

    private static string Describe(object? value)
    {
        var text = value switch
        {
            null => "null",
            string s => s,
            System.Collections.IEnumerable items => "[" + string.Join(", ", items.Cast<object?>().Select(Describe)) + "]",
            _ => value.ToString() ?? "",
        };
        return text.Length > 4000 ? text[..4000] + " ..." : text;
    }

    /// <summary>Returns once the condition holds.</summary>
    public static Task True(Func<CancellationToken, Task<bool>> condition, TimeSpan within, string what, TimeSpan? every = null) =>
        Holds(condition, holds => holds, within, what, every);

    /// <summary>Returns once the condition holds (a condition read in this process, such as a file or a list).</summary>
    public static Task True(Func<bool> condition, TimeSpan within, string what, TimeSpan? every = null) =>
        Holds(_ => Task.FromResult(condition()), holds => holds, within, what, every);

    public static TimeSpan Seconds(int seconds) => TimeSpan.FromSeconds(seconds);
}
