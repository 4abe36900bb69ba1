using Psd2.Core.Connections;

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
}
