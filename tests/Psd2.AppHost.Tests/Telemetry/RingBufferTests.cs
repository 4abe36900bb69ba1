using Psd2.AppHost.Telemetry;

namespace Psd2.AppHost.Tests.Telemetry;

public sealed class RingBufferTests
{
    [Fact]
    public void KeepsEverythingUntilFullOldestFirst()
    {
        var ring = new RingBuffer<int>(4);
        ring.AddRange([1, 2, 3]);

        Assert.Equal([1, 2, 3], ring.Snapshot());
        Assert.Equal(3, ring.Count);
    }

    [Fact]
    public void OverwritesTheOldestOnceFullAndNeverHoldsMoreThanItsCapacity()
    {
        var ring = new RingBuffer<int>(4);
        for (var i = 1; i <= 10_003; i++)
        {
            ring.Add(i);
            Assert.True(ring.Count <= 4);
        }

        Assert.Equal([10_000, 10_001, 10_002, 10_003], ring.Snapshot());
        Assert.Equal(10_003, ring.TotalAdded);
    }

    [Fact]
    public void ABatchLargerThanTheCapacityLeavesItsNewestItems()
    {
        var ring = new RingBuffer<int>(3);
        ring.Add(0);
        ring.AddRange(Enumerable.Range(1, 7));

        Assert.Equal([5, 6, 7], ring.Snapshot());
    }

    [Fact]
    public void ReadersSeeConsistentSnapshotsWhileAWriterAdds()
    {
        var ring = new RingBuffer<int>(100);
        var writer = Task.Run(() =>
        {
            for (var i = 0; i < 200_000; i++)
            {
                ring.Add(i);
            }
        });

        while (!writer.IsCompleted)
        {
            var snapshot = ring.Snapshot();
            // A snapshot is a run of consecutive numbers: never torn, never out of order.
            for (var i = 1; i < snapshot.Length; i++)
            {
                Assert.Equal(snapshot[i - 1] + 1, snapshot[i]);
            }
        }

        Assert.Equal(Enumerable.Range(199_900, 100), ring.Snapshot());
    }

    [Fact]
    public void RefusesACapacityBelowOne() => Assert.Throws<ArgumentOutOfRangeException>(() => new RingBuffer<int>(0));
}
