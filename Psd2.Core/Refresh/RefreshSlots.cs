using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Psd2.Core.Refresh;

/// <summary>
/// When a connection's unattended refreshes happen: each bank day's usable window (the day less <c>margin</c> at
/// either end, so that clock skew between platform and bank can never move a read into the neighbouring day) is cut
/// into <c>frequencyPerDay</c> equal segments, and the connection reads once in each, at the same fraction of every
/// segment: its phase, derived from its id. Phases are spread evenly over all connections, so 10,000 connections
/// arrive as a steady stream, and each one's reads are evenly spaced through its day.
/// </summary>
public sealed class RefreshSlots
{
    private readonly BankDays _days;
    private readonly TimeSpan _margin;

    public RefreshSlots(BankDays days, TimeSpan margin)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(margin, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(margin, TimeSpan.FromHours(6));
        _days = days;
        _margin = margin;
    }

    public BankDays Days => _days;

    /// <summary>The connection's fixed place inside each segment, in [0, 1): deterministic, and uniform over ids.</summary>
    public static double Phase(Guid connectionId)
    {
        Span<byte> id = stackalloc byte[16];
        connectionId.TryWriteBytes(id);
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(id, hash);
        return (BinaryPrimitives.ReadUInt64BigEndian(hash) >> 11) * (1.0 / (1UL << 53));
    }

    /// <summary>The usable part of a bank day: reads happen only inside it.</summary>
    public (DateTimeOffset From, DateTimeOffset Until) Window(DateOnly day) =>
        (_days.StartOf(day) + _margin, _days.StartOf(day.AddDays(1)) - _margin);

    /// <summary>The connection's slots on a bank day, in order: exactly <paramref name="frequencyPerDay"/> of them, all inside the window.</summary>
    public IReadOnlyList<DateTimeOffset> SlotsOn(Guid connectionId, int frequencyPerDay, DateOnly day) =>
        SlotsOn(Phase(connectionId), frequencyPerDay, day);

    private DateTimeOffset[] SlotsOn(double phase, int frequencyPerDay, DateOnly day)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(frequencyPerDay, 1);
        var (from, until) = Window(day);
        var segment = (until - from).Ticks / frequencyPerDay;
        var offset = (long)(segment * phase);
        var slots = new DateTimeOffset[frequencyPerDay];
        for (var i = 0; i < frequencyPerDay; i++)
        {
            slots[i] = from.AddTicks(segment * i + offset);
        }

        return slots;
    }

    /// <summary>The first slot strictly after <paramref name="after"/>.</summary>
    public DateTimeOffset NextAfter(Guid connectionId, int frequencyPerDay, DateTimeOffset after) =>
        NextAfter(Phase(connectionId), frequencyPerDay, after);

    public DateTimeOffset NextAfter(double phase, int frequencyPerDay, DateTimeOffset after)
    {
        // The next slot is at most one segment plus both margins away, so today and tomorrow always hold it.
        var day = _days.DayOf(after);
        for (var d = day.AddDays(-1); ; d = d.AddDays(1))
        {
            foreach (var slot in SlotsOn(phase, frequencyPerDay, d))
            {
                if (slot > after)
                {
                    return slot;
                }
            }
        }
    }

    /// <summary>The first slot at or after <paramref name="notBefore"/> (e.g. the time the bank allows the next read).</summary>
    public DateTimeOffset NextFrom(Guid connectionId, int frequencyPerDay, DateTimeOffset notBefore) =>
        NextAfter(connectionId, frequencyPerDay, notBefore.AddTicks(-1));

    /// <summary>
    /// Whether a read planned for <paramref name="slot"/> may be made at <paramref name="now"/>: only inside the
    /// slot's own bank day's window. A slot missed (the worker was down, or the day is over) is dropped, not caught up
    /// in another day, whose reads are its own.
    /// </summary>
    public bool MayReadNow(DateTimeOffset slot, DateTimeOffset now)
    {
        var day = _days.DayOf(slot);
        var (from, until) = Window(day);
        return now >= from && now < until && slot <= now;
    }
}
