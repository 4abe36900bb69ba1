using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;

namespace Psd2.Core.Refresh;

/// <summary>What a planning pass did: connections planned and database round trips it took.</summary>
public sealed record PlanResult(int Planned, int RoundTrips);

/// <summary>
/// Set-based planning: gives every live connection that has none its next unattended refresh slot and its next
/// consent check, in batches (one read and one <c>UPDATE ... FROM unnest(...)</c> per batch), with the slot
/// arithmetic in <see cref="RefreshSlots"/>. The dispatcher plans each connection's next slot itself after a run;
/// this catches connections that became active, were renewed, or lost their plan.
/// </summary>
public sealed class RefreshPlanner(NpgsqlDataSource dataSource, RefreshCalendar calendar, IOptions<RefreshOptions> options, TimeProvider time)
{
    public const int BatchSize = 5000;

    /// <param name="replanAll">Plan every live connection again (after a change of slot rules), not only those without a plan.</param>
    public async Task<PlanResult> PlanAsync(bool replanAll, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var planned = 0;
        var roundTrips = 0;
        var after = Guid.Empty;
        var interval = options.Value.ConsentCheckInterval;
        while (true)
        {
            var now = time.GetUtcNow();
            var batch = new List<(Guid Id, DateTimeOffset? Refresh, DateTimeOffset? Check)>(BatchSize);
            await using (var select = new NpgsqlCommand("""
                SELECT id, institution_id, frequency_per_day, valid_until, next_refresh_at IS NULL OR $3, next_consent_check_at IS NULL OR $3
                FROM connections
                WHERE status IN ('active', 'renewal_due') AND id > $1 AND ($3 OR next_refresh_at IS NULL OR next_consent_check_at IS NULL)
                ORDER BY id LIMIT $2
                """, connection) { Parameters = { new() { Value = after }, new() { Value = BatchSize }, new() { Value = replanAll } } })
            {
                await using var reader = await select.ExecuteReaderAsync(cancellationToken);
                while (await reader.ReadAsync(cancellationToken))
                {
                    var id = reader.GetGuid(0);
                    var slots = calendar.For(reader.GetString(1));
                    DateOnly? validUntil = reader.IsDBNull(3) ? null : reader.GetFieldValue<DateOnly>(3);
                    batch.Add((id,
                        reader.GetBoolean(4) ? slots.NextAfter(id, reader.GetInt32(2), now) : null,
                        reader.GetBoolean(5) ? ConsentCheckSchedule.Next(id, validUntil, now, interval) : null));
                }
            }

            roundTrips++;
            if (batch.Count == 0)
            {
                return new PlanResult(planned, roundTrips);
            }

            await using (var update = new NpgsqlCommand("""
                UPDATE connections AS c
                SET next_refresh_at = COALESCE(p.refresh_at, c.next_refresh_at),
                    next_consent_check_at = COALESCE(p.check_at, c.next_consent_check_at)
                FROM unnest($1::uuid[], $2::timestamptz[], $3::timestamptz[]) AS p (id, refresh_at, check_at)
                WHERE c.id = p.id AND c.status IN ('active', 'renewal_due')
                """, connection))
            {
                update.Parameters.Add(new NpgsqlParameter { Value = batch.Select(b => b.Id).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Uuid });
                update.Parameters.Add(new NpgsqlParameter { Value = batch.Select(b => b.Refresh).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.TimestampTz });
                update.Parameters.Add(new NpgsqlParameter { Value = batch.Select(b => b.Check).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.TimestampTz });
                planned += await update.ExecuteNonQueryAsync(cancellationToken);
            }

            roundTrips++;
            after = batch[^1].Id;
        }
    }
}
