using Microsoft.EntityFrameworkCore;
using Psd2.Core.Persistence;
using Psd2.Core.Webhooks;

namespace Psd2.Worker.Webhooks;

/// <summary>A claimed delivery with what sending it needs; <see cref="LeaseUntil"/> proves the claim when the outcome is written.</summary>
public sealed record ClaimedDelivery(
    Guid Id, Guid EndpointId, Guid EventId, int Attempts, DateTimeOffset ScheduledAt, DateTimeOffset LeaseUntil,
    string Url, byte[] SecretCipher, byte[]? PreviousSecretCipher, DateTimeOffset? PreviousSecretExpiresAt,
    string EventType, DateTimeOffset OccurredAt, Guid ClientAppId, Guid? UserId, Guid? ConnectionId, string Data);

/// <summary>
/// The delivery side of the platform_events outbox, in SQL: events fanned out to deliveries, due deliveries claimed, outcomes
/// recorded. Every step is safe with several worker replicas: rows are taken with <c>FOR UPDATE SKIP LOCKED</c>, and a claimed
/// delivery's next_attempt_at is pushed out by a lease so no other replica sends it while this one does.
/// </summary>
public sealed class WebhookOutbox(IServiceScopeFactory scopes, TimeProvider time)
{
    /// <summary>
    /// Turns up to <paramref name="batch"/> undispatched events into one pending delivery per matching endpoint (the endpoint's
    /// client app, and its type filter) and marks them dispatched, in one statement; returns how many events it took.
    /// </summary>
    public async Task<int> FanOutAsync(int batch, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<Psd2DbContext>();
        var now = time.GetUtcNow();
        return await db.Database.ExecuteSqlAsync($"""
            WITH taken AS (
                SELECT id, client_app_id, type FROM platform_events
                WHERE dispatched_at IS NULL ORDER BY occurred_at LIMIT {batch} FOR UPDATE SKIP LOCKED),
            fanned AS (
                INSERT INTO webhook_deliveries (id, endpoint_id, event_id, client_app_id, status, attempts, scheduled_at, next_attempt_at, created_at)
                SELECT gen_random_uuid(), endpoint.id, taken.id, taken.client_app_id, 'pending', 0, {now}, {now}, {now}
                FROM taken JOIN webhook_endpoints endpoint ON endpoint.client_app_id = taken.client_app_id
                    AND (cardinality(endpoint.event_types) = 0 OR taken.type = ANY (endpoint.event_types))
                ON CONFLICT (endpoint_id, event_id) DO NOTHING)
            UPDATE platform_events SET dispatched_at = {now} FROM taken WHERE platform_events.id = taken.id
            """, cancellationToken);
    }

    /// <summary>Takes up to <paramref name="batch"/> due deliveries for this replica, for <paramref name="lease"/>.</summary>
    public async Task<IReadOnlyList<ClaimedDelivery>> ClaimDueAsync(int batch, TimeSpan lease, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<Psd2DbContext>();
        var now = time.GetUtcNow();
        // Whole milliseconds, so the value read back from timestamptz (microseconds) equals the one written.
        var leaseUntil = new DateTimeOffset((now + lease).UtcTicks / TimeSpan.TicksPerMillisecond * TimeSpan.TicksPerMillisecond, TimeSpan.Zero);
        var ids = await db.Database.SqlQuery<Guid>($"""
            UPDATE webhook_deliveries SET next_attempt_at = {leaseUntil}
            WHERE id IN (SELECT id FROM webhook_deliveries
                         WHERE status = 'pending' AND next_attempt_at <= {now}
                         ORDER BY next_attempt_at LIMIT {batch} FOR UPDATE SKIP LOCKED)
            RETURNING id AS "Value"
            """).ToListAsync(cancellationToken);
        if (ids.Count == 0)
        {
            return [];
        }

        return await db.WebhookDeliveries.AsNoTracking().Where(d => ids.Contains(d.Id))
            .Join(db.WebhookEndpoints, d => d.EndpointId, e => e.Id, (d, e) => new { d, e })
            .Join(db.PlatformEvents, x => x.d.EventId, ev => ev.Id, (x, ev) => new ClaimedDelivery(
                x.d.Id, x.d.EndpointId, x.d.EventId, x.d.Attempts, x.d.ScheduledAt, leaseUntil,
                x.e.Url, x.e.SecretCipher, x.e.PreviousSecretCipher, x.e.PreviousSecretExpiresAt,
                ev.Type, ev.OccurredAt, ev.ClientAppId, ev.UserId, ev.ConnectionId, ev.Data))
            .ToListAsync(cancellationToken);
    }

    /// <summary>
    /// Records an attempt and the delivery's new state (delivered, pending until <paramref name="nextAttemptAt"/>, or dead), only
    /// while this replica's claim still holds; false when it does not (the endpoint was deleted, or the lease ran out).
    /// </summary>
    public async Task<bool> RecordAsync(
        ClaimedDelivery claim, SendResult result, DateTimeOffset attemptedAt, string status, DateTimeOffset? nextAttemptAt, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<Psd2DbContext>();
        var now = time.GetUtcNow();
        DateTimeOffset? deliveredAt = status == WebhookDeliveryStatus.Delivered ? now : null;
        DateTimeOffset? deadAt = status == WebhookDeliveryStatus.Dead ? now : null;
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var updated = await db.WebhookDeliveries
            .Where(d => d.Id == claim.Id && d.Status == WebhookDeliveryStatus.Pending && d.NextAttemptAt == claim.LeaseUntil)
            .ExecuteUpdateAsync(set => set
                .SetProperty(d => d.Status, status)
                .SetProperty(d => d.Attempts, d => d.Attempts + 1)
                .SetProperty(d => d.NextAttemptAt, nextAttemptAt)
                .SetProperty(d => d.LastAttemptAt, attemptedAt)
                .SetProperty(d => d.LastStatusCode, result.StatusCode)
                .SetProperty(d => d.LastError, result.Error)
                .SetProperty(d => d.DeliveredAt, deliveredAt)
                .SetProperty(d => d.DeadAt, deadAt), cancellationToken);
        if (updated == 0)
        {
            return false;
        }

        db.WebhookAttempts.Add(new WebhookAttempt
        {
            DeliveryId = claim.Id, AttemptedAt = attemptedAt, StatusCode = result.StatusCode, Error = result.Error,
            DurationMs = (int)Math.Min(result.Duration.TotalMilliseconds, int.MaxValue),
        });
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return true;
    }
}
