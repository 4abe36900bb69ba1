using System.Runtime.CompilerServices;
using System.Threading.Channels;

namespace Psd2.Core.Sync;

public static class ReadAheadExtensions
{
    /// <summary>
    /// The same items in the same order, read up to <paramref name="depth"/> ahead of the consumer by a loop of their own:
    /// while the platform writes one page, the bank is already serving the next ones. A failure of the source reaches the
    /// consumer after the items read before it, as itself; a consumer that stops (early, or failing) stops the loop and
    /// waits for it, so no request is left running unobserved.
    /// </summary>
    public static IAsyncEnumerable<T> ReadAhead<T>(this IAsyncEnumerable<T> source, int depth, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(depth, 1);
        return ReadAheadCore(source, depth, cancellationToken);
    }

    private static async IAsyncEnumerable<T> ReadAheadCore<T>(IAsyncEnumerable<T> source, int depth, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var channel = Channel.CreateBounded<T>(new BoundedChannelOptions(depth) { SingleReader = true, SingleWriter = true });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var reading = Task.Run(async () =>
        {
            try
            {
                await foreach (var item in source.WithCancellation(stop.Token))
                {
                    await channel.Writer.WriteAsync(item, stop.Token);
                }
            }
            finally
            {
                channel.Writer.Complete();
            }
        }, CancellationToken.None);

        try
        {
            await foreach (var item in channel.Reader.ReadAllAsync(cancellationToken))
            {
                yield return item;
            }

            await reading;
        }
        finally
        {
            await stop.CancelAsync();
            await reading.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }
}
