using System.Text.Json;

namespace Psd2.Core.Events;

/// <summary>
/// One event a client app is told about through its webhooks (connection.active, connection.renewal_due,
/// connection.expired, connection.revoked, connection.rejected, connection.failed, sync.completed, transactions.new;
/// see Webhooks.WebhookEventTypes). Added to the
/// same unit of work as the change it tells of (the outbox); <see cref="DispatchedAt"/> is set once delivery has
/// taken it over. <see cref="Id"/> is the event id receivers de-duplicate on.
/// </summary>
public sealed class PlatformEvent
{
    public Guid Id { get; set; }
    public Guid ClientAppId { get; set; }
    public required string Type { get; set; }
    public DateTimeOffset OccurredAt { get; set; }
    public Guid? UserId { get; set; }
    public Guid? ConnectionId { get; set; }
    /// <summary>The event's payload as a JSON object; never a token or a full IBAN.</summary>
    public required string Data { get; set; }
    public DateTimeOffset? DispatchedAt { get; set; }

    /// <param name="data">The event's specifics, serialized as a JSON object (web casing).</param>
    public static PlatformEvent Of(TimeProvider time, string type, Guid clientAppId, Guid? userId, Guid? connectionId, object? data = null) => new()
    {
        Id = Guid.CreateVersion7(),
        ClientAppId = clientAppId,
        Type = type,
        OccurredAt = time.GetUtcNow(),
        UserId = userId,
        ConnectionId = connectionId,
        Data = JsonSerializer.Serialize(data ?? new { }, JsonOptions),
    };

    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);
}
