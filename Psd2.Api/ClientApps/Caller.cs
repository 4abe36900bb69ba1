using System.Security.Claims;
using Psd2.ServiceDefaults.RequestIds;

namespace Psd2.Api.ClientApps;

/// <summary>
/// Who calls an operation: the client app its API key proved (<see cref="ApiKeyAuthentication"/>), and the request's id
/// for the audit trail. Bound as a handler parameter; only operations that require authorization take it.
/// </summary>
public sealed record Caller(Guid ClientAppId, string RequestId)
{
    public static ValueTask<Caller?> BindAsync(HttpContext context) => ValueTask.FromResult<Caller?>(From(context.User, context.RequestId()));

    private static Caller From(ClaimsPrincipal user, string requestId) =>
        Guid.TryParse(user.FindFirstValue(ApiKeyAuthentication.ClientAppIdClaim), out var clientAppId)
            ? new Caller(clientAppId, requestId)
            : throw new InvalidOperationException("The operation takes a Caller but does not require authorization.");
}
