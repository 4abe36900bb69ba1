using System.Text.Json;

namespace Psd2.Core.Audit;

/// <summary>One append-only audit record. Never holds a token, a code or a full IBAN.</summary>
public sealed class AuditEvent
{
    public long Id { get; set; }
    public Guid? ClientAppId { get; set; }
    public DateTimeOffset OccurredAt { get; set; }
    public required string Type { get; set; }
    public string? RequestId { get; set; }
    public Guid? UserId { get; set; }
    public Guid? ConnectionId { get; set; }
    /// <summary>Event specifics as a JSON object.</summary>
    public string? Details { get; set; }

    /// <param name="requestId">The request that caused it; null for the platform's own background work.</param>
    /// <param name="details">Event specifics, serialized as a JSON object; never a secret or personal data.</param>
    public static AuditEvent Of(string? requestId, TimeProvider time, string type, Guid clientAppId, Guid? userId, Guid? connectionId = null, object? details = null) => new()
    {
        ClientAppId = clientAppId,
        OccurredAt = time.GetUtcNow(),
        Type = type,
        RequestId = requestId,
        UserId = userId,
        ConnectionId = connectionId,
        Details = details is null ? null : JsonSerializer.Serialize(details, JsonOptions),
    };

    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);
}
