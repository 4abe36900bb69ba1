using Microsoft.Extensions.Options;
using Npgsql;

namespace Psd2.SandboxBank.Time;

/// <summary>
/// The bank's business time: real time plus a test-clock offset that the sandbox controls can move forward, so
/// that 180-day validity and per-day limits can be exercised in seconds. Kept in sandboxdb so a restart keeps it.
/// Certificates are judged by real time: they are real artefacts, not simulated business.
/// </summary>
public sealed class BankClock(TimeProvider realTime, NpgsqlDataSource dataSource, IOptions<BankOptions> options) : TimeProvider
{
    private readonly TimeZoneInfo _zone = TimeZoneInfo.FindSystemTimeZoneById(options.Value.TimeZone);
    private long _offsetTicks;

    public TimeSpan Offset => TimeSpan.FromTicks(Interlocked.Read(ref _offsetTicks));

    public override DateTimeOffset GetUtcNow() => realTime.GetUtcNow() + Offset;

    public override TimeZoneInfo LocalTimeZone => _zone;

    /// <summary>The bank day: the calendar date in the bank's zone.</summary>
    public DateOnly Today => DayOf(GetUtcNow());

    public DateOnly DayOf(DateTimeOffset instant) => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(instant, _zone).DateTime);

    /// <summary>When the given bank day begins, as an instant.</summary>
    public DateTimeOffset StartOf(DateOnly day)
    {
        var local = day.ToDateTime(TimeOnly.MinValue);
        return new DateTimeOffset(local, _zone.GetUtcOffset(local)).ToUniversalTime();
    }

    public async Task LoadAsync(CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("SELECT offset_seconds FROM bank_clock WHERE id = 1");
        var seconds = (long)(await command.ExecuteScalarAsync(cancellationToken) ?? 0L);
        Interlocked.Exchange(ref _offsetTicks, TimeSpan.FromSeconds(seconds).Ticks);
    }

    /// <summary>Moves business time forward (never back: consents, codes and counts would stop making sense).</summary>
    public async Task AdvanceAsync(TimeSpan by, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(by, TimeSpan.Zero);
        await using var command = dataSource.CreateCommand(
            "UPDATE bank_clock SET offset_seconds = offset_seconds + $1 WHERE id = 1 RETURNING offset_seconds");
        command.Parameters.Add(new() { Value = (long)by.TotalSeconds });
        var seconds = (long)(await command.ExecuteScalarAsync(cancellationToken))!;
        Interlocked.Exchange(ref _offsetTicks, TimeSpan.FromSeconds(seconds).Ticks);
    }

    public async Task ResetAsync(CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("UPDATE bank_clock SET offset_seconds = 0 WHERE id = 1");
        await command.ExecuteNonQueryAsync(cancellationToken);
        Interlocked.Exchange(ref _offsetTicks, 0);
    }
}
