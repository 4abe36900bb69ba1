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

    /// <summary>
    /// Adds <see cref="StatusChanged"/> to the unit of work unless the code that made the change already added it there:
    /// a status change is told exactly once, whichever layer noticed it first.
    /// </summary>
    public static void Ensure(Psd2DbContext db, TimeProvider time, Connection connection)
    {
        var type = "connection." + connection.Status;
        if (!db.ChangeTracker.Entries<PlatformEvent>().Any(e => e.Entity.ConnectionId == connection.Id && e.Entity.Type == type))
        {
            db.PlatformEvents.Add(StatusChanged(time, connection));
        }
    }
}
