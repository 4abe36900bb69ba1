using System.Text.Json;
using Psd2.Core.Audit;
using Psd2.ServiceDefaults.RequestIds;

namespace Psd2.Api;

/// <summary>Audit records the API writes: who, which request, which user and connection; never a token or personal data.</summary>
public static class AuditRecords
{
    public static AuditEvent For(HttpContext context, TimeProvider time, string type, Guid clientAppId, Guid userId, Guid? connectionId = null, object? details = null) =>
        For(context.RequestId(), time, type, clientAppId, userId, connectionId, details);

    /// <param name="requestId">The request that caused it; null for the platform's own background work.</param>
    /// <param name="details">Event specifics, serialized as a JSON object; never a secret or personal data.</param>
    public static AuditEvent For(string? requestId, TimeProvider time, string type, Guid clientAppId, Guid userId, Guid? connectionId = null, object? details = null) => new()
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
