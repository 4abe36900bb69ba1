using Microsoft.EntityFrameworkCore;
using Psd2.Core.Persistence;

namespace Psd2.Api.ClientApps;

/// <summary>Where a client app may have its users' browsers sent back: only the redirect URIs it registered, matched exactly.</summary>
public static class RegisteredRedirectUris
{
    public static readonly ApiError NotAllowed =
        new(StatusCodes.Status400BadRequest, "redirect_uri_not_allowed", "redirectUri must be one of the client app's registered redirect URIs.");

    public static async Task<bool> IsRegisteredAsync(this Psd2DbContext db, Guid clientAppId, string? redirectUri, CancellationToken cancellationToken) =>
        redirectUri is not null
        && (await db.ClientApps.Where(a => a.Id == clientAppId).Select(a => a.RedirectUris).SingleAsync(cancellationToken)).Contains(redirectUri, StringComparer.Ordinal);
}
