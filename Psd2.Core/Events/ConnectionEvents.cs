using Microsoft.EntityFrameworkCore;
using Psd2.Core.Connections;
using Psd2.Core.Persistence;

namespace Psd2.Core.Events;

/// <summary>What a <c>connection.*</c> event tells: the connection's new status and why, never a token or an IBAN.</summary>
public sealed record ConnectionEventData(
    Guid ConnectionId, Guid UserId, string InstitutionId, string Flow, string Status, string? Reason, DateOnly? ValidUntil,
    DateTimeOffset StatusChangedAt, Guid? RenewsConnectionId, Guid? ReplacedByConnectionId);

public static class ConnectionEvents
{
    /// <summary>The <c>connection.&lt;status&gt;</c> event of a connection that has just moved to its current status (add it to the same save).</summary>
    public static PlatformEvent StatusChanged(TimeProvider time, Connection connection) =>
        PlatformEvent.Of(time, "connection." + connection.Status, connection.ClientAppId, connection.UserId, connection.Id, new ConnectionEventData(
            connection.Id, connection.UserId, connection.InstitutionId, connection.Flow, connection.Status, connection.StatusReason, connection.ValidUntil,
            connection.StatusChangedAt, connection.RenewsConnectionId, connection.ReplacedByConnectionId));

    /// <summary>Saves the unit of work, and tells the connection's status change once (<see cref="EnsureOnceAsync"/>) when it has one.</summary>
    public static async Task SaveAsync(Psd2DbContext db, TimeProvider time, Connection connection, bool statusChanged, CancellationToken cancellationToken)
    {
        if (statusChanged)
        {
            await EnsureOnceAsync(db, time, connection, cancellationToken);
        }
        else
        {
            await db.SaveChangesAsync(cancellationToken);
        }
    }

    /// <summary>
    /// Tells a connection's status change exactly once, and saves: unless the code that made the change already
    /// added the event to this unit of work, or another process (a consent check and a sync can meet the same ended
    /// consent at once) already told it. The connection's row is locked while looking, so two tellers take turns.
    /// </summary>
    private static async Task EnsureOnceAsync(Psd2DbContext db, TimeProvider time, Connection connection, CancellationToken cancellationToken)
    {
        var type = "connection." + connection.Status;
        if (db.ChangeTracker.Entries<PlatformEvent>().Any(e => e.Entity.ConnectionId == connection.Id && e.Entity.Type == type))
        {
            await db.SaveChangesAsync(cancellationToken);
            return;
        }

        await using var transaction = db.Database.CurrentTransaction is null ? await db.Database.BeginTransactionAsync(cancellationToken) : null;
        await db.Database.ExecuteSqlAsync($"SELECT 1 FROM connections WHERE id = {connection.Id} FOR UPDATE", cancellationToken);
        var told = await db.PlatformEvents.AnyAsync(e => e.ClientAppId == connection.ClientAppId && e.ConnectionId == connection.Id && e.Type == type, cancellationToken);
        if (!told)
        {
            db.PlatformEvents.Add(StatusChanged(time, connection));
        }

        await db.SaveChangesAsync(cancellationToken);
        if (transaction is not null)
        {
            await transaction.CommitAsync(cancellationToken);
        }
    }
}
