using Psd2.Core.Audit;
using Psd2.ServiceDefaults.RequestIds;

namespace Psd2.Api;

/// <summary>Audit records of API requests: who, which request, which user and connection; never a token or personal data.</summary>
public static class AuditRecords
{
    public static AuditEvent For(HttpContext context, TimeProvider time, string type, Guid clientAppId, Guid? userId, Guid? connectionId = null, object? details = null) =>
        AuditEvent.Of(context.RequestId(), time, type, clientAppId, userId, connectionId, details);
}
