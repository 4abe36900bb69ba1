using Psd2.Api.ClientApps;
using Psd2.Core.Audit;

namespace Psd2.Api;

/// <summary>Audit records of API requests: who, which request, which user and connection; never a token or personal data.</summary>
public static class AuditRecords
{
    public static AuditEvent For(Caller caller, TimeProvider time, string type, Guid? userId, Guid? connectionId = null, object? details = null) =>
        AuditEvent.Of(caller.RequestId, time, type, caller.ClientAppId, userId, connectionId, details);
}
