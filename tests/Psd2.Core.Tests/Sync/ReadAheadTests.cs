using System.Runtime.CompilerServices;
using Psd2.Core.Sync;

namespace Psd2.Core.Tests.Sync;

/// <summary>
/// Pages read ahead of the writer: the same items in the same order, never more than the depth ahead, the source's failure
/// after the items before it, and a writer that stops leaves no read running.
/// </summary>
public sealed class ReadAheadTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task TheItemsComeInTheirOrder()
    {
        var read = new List<int>();
        await foreach (var item in Numbers(50).ReadAhead(4, CancellationToken.None))
        {
            read.Add(item);
        }

        Assert.Equal(Enumerable.Range(1, 50), read);
    }

    [Fact]
    public async Task TheSourceIsReadAheadWhileTheConsumerWorks()
    {
        var source = new GatedSource(10);
        await using var pages = source.ReadAhead(3, CancellationToken.None).GetAsyncEnumerator(CancellationToken.None);
        Assert.True(await pages.MoveNextAsync());

        // The consumer holds item 1; the loop reads 2, 3 and 4 into the buffer of three, and item 5 (taken from the source
        // and waiting for room), and goes no further.
        await source.Taken(5).WaitAsync(Patience);
        await Task.Delay(200, CancellationToken.None);
        Assert.Equal(5, source.TakenCount);
    }

    [Fact]
    public async Task TheSourcesFailureComesAfterTheItemsBeforeItAsItself()
    {
        var read = new List<int>();
        var failure = await Assert.ThrowsAsync<InvalidDataException>(async () =>
        {
            await foreach (var item in FailingAfter(3).ReadAhead(4, CancellationToken.None))
            {
                read.Add(item);
            }
        });

        Assert.Equal([1, 2, 3], read);
        Assert.Equal("page 4", failure.Message);
    }

    [Fact]
    public async Task AConsumerThatStopsStopsTheReadsAndWaitsForThem()
    {
        var source = new GatedSource(1_000);
        await foreach (var item in source.ReadAhead(2, CancellationToken.None))
        {
            if (item == 3)
            {
                break;
            }
        }

        // Leaving the loop returned only once the source's own enumeration had ended (its finally ran).
        Assert.True(source.Ended);
        Assert.True(source.TakenCount < 1_000);
    }

    [Fact]
    public async Task AConsumerThatFailsStopsTheReads()
    {
        var source = new GatedSource(1_000);
        await Assert.ThrowsAsync<TimeoutException>(async () =>
        {
            await foreach (var item in source.ReadAhead(2, CancellationToken.None))
            {
                throw new TimeoutException("the database went away");
            }
        });

        Assert.True(source.Ended);
    }

    [Fact]
    public void TheDepthIsAtLeastOne()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Numbers(1).ReadAhead(0));
    }

    private static async IAsyncEnumerable<int> Numbers(int count)
    {
        for (var i = 1; i <= count; i++)
        {
            await Task.Yield();
            yield return i;
        }
    }

    private static async IAsyncEnumerable<int> FailingAfter(int count)
    {
        await foreach (var item in Numbers(count))
        {
            yield return item;
        }

        throw new InvalidDataException($"page {count + 1}");
    }

    /// <summary>A source that counts what was taken from it and says when its enumeration has ended.</summary>
    private sealed class GatedSource(int count) : IAsyncEnumerable<int>
    {
        private readonly List<(int Count, TaskCompletionSource Reached)> _waits = [];
        private int _taken;

        public int TakenCount => Volatile.Read(ref _taken);

        public bool Ended { get; private set; }

        public Task Taken(int n)
        {
            lock (_waits)
            {
                if (_taken >= n)
                {
                    return Task.CompletedTask;
                }

                var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                _waits.Add((n, reached));
                return reached.Task;
            }
        }

        public async IAsyncEnumerator<int> GetAsyncEnumerator(CancellationToken cancellationToken = default)
        {
            try
            {
                for (var i = 1; i <= count; i++)
                {
                    await Task.Delay(1, cancellationToken);
                    lock (_waits)
                    {
                        _taken = i;
                        foreach (var wait in _waits.Where(w => w.Count <= i))
                        {
                            wait.Reached.TrySetResult();
                        }
                    }

                    yield return i;
                }
            }
            finally
            {
                Ended = true;
            }
        }
    }
}
