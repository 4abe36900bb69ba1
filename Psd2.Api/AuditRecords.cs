using Psd2.Core.Audit;
using Psd2.ServiceDefaults.RequestIds;

namespace Psd2.Api;

/// <summary>Audit records the API writes: who, which request, which user and connection; never a token or personal data.</summary>
public static class AuditRecords
{
    public static AuditEvent For(HttpContext context, TimeProvider time, string type, Guid clientAppId, Guid userId, Guid? connectionId = null) => new()
    {
        ClientAppId = clientAppId,
        OccurredAt = time.GetUtcNow(),
        Type = type,
        RequestId = context.RequestId(),
        UserId = userId,
        ConnectionId = connectionId,
    };
}
