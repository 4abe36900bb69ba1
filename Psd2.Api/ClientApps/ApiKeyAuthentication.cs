using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Psd2.Core.ClientApps;
using Psd2.Core.Persistence;

namespace Psd2.Api.ClientApps;

/// <summary>A client app's key as verified: the app it belongs to and the key's own id.</summary>
public sealed record ClientAppKey(Guid ClientAppId, Guid KeyId);

public static class ApiKeys
{
    /// <summary>The <c>ApiKey</c> scheme, as every request's default, and the memory of verified keys it reads first.</summary>
    public static void AddApiKeys(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<VerifiedKeys>();
        builder.Services.AddHostedService(services => services.GetRequiredService<VerifiedKeys>());
        builder.Services.AddAuthentication(ApiKeyAuthentication.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthentication>(ApiKeyAuthentication.SchemeName, configureOptions: null);
        builder.Services.AddAuthorization();
    }
}

/// <summary>
/// The <c>ApiKey</c> authentication scheme: a client app's key in <c>Authorization: Bearer psd2_...</c> or
/// <c>X-Api-Key</c>, checked against psd2db (<see cref="VerifiedKeys"/> remembers it briefly). Without a key, or with a
/// wrong, revoked or disabled one, an operation that requires authorization answers 401 with <c>WWW-Authenticate</c>
/// and a ProblemDetails (<c>api_key_missing</c>, <c>api_key_invalid</c>) before anything else is read.
/// </summary>
public sealed class ApiKeyAuthentication(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, VerifiedKeys verified, Psd2DbContext db)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";
    public const string ClientAppIdClaim = "client_app_id";
    public const string KeyIdClaim = "api_key_id";
    private const string Realm = "psd2";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (Presented(Request) is not { } key)
        {
            return AuthenticateResult.NoResult();
        }

        if (await VerifyAsync(key, Context.RequestAborted) is not { } client)
        {
            return AuthenticateResult.Fail("The API key is not valid.");
        }

        var identity = new ClaimsIdentity([new(ClientAppIdClaim, client.ClientAppId.ToString()), new(KeyIdClaim, client.KeyId.ToString())], SchemeName);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var presented = Presented(Request) is not null;
        Response.Headers.WWWAuthenticate = presented ? $"Bearer realm=\"{Realm}\", error=\"invalid_token\"" : $"Bearer realm=\"{Realm}\"";
        var error = presented
            ? new ApiError(StatusCodes.Status401Unauthorized, "api_key_invalid", "The API key is not valid.")
            : new ApiError(StatusCodes.Status401Unauthorized, "api_key_missing", "An API key is required: Authorization: Bearer <key> or X-Api-Key.");
        await ApiProblems.Write(error).ExecuteAsync(Context);
    }

    private static string? Presented(HttpRequest request)
    {
        var authorization = request.Headers.Authorization.ToString();
        if (authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return authorization["Bearer ".Length..].Trim();
        }

        return request.Headers["X-Api-Key"] is { Count: 1 } header ? header.ToString() : null;
    }

    private async Task<ClientAppKey?> VerifyAsync(string key, CancellationToken cancellationToken)
    {
        if (!ApiKeyFormat.TryParse(key, out var prefix, out var secret))
        {
            return null;
        }

        if (verified.Find(prefix, secret) is { } known)
        {
            return known;
        }

        var forgettings = verified.Forgettings;
        var stored = await ActiveKey(db, prefix, cancellationToken);
        if (stored is null || !ApiKeyFormat.Matches(secret, stored.SecretHash))
        {
            return null;
        }

        var client = new ClientAppKey(stored.ClientAppId, stored.Id);
        verified.Remember(prefix, stored.SecretHash, client, forgettings);
        return client;
    }

    /// <summary>The active key with this prefix of an enabled client app; compiled once, as every /v1 call runs it.</summary>
    private static readonly Func<Psd2DbContext, string, CancellationToken, Task<ApiKey?>> ActiveKey = EF.CompileAsyncQuery(
        (Psd2DbContext db, string prefix, CancellationToken _) => db.ApiKeys.AsNoTracking()
            .Where(k => k.Prefix == prefix && k.RevokedAt == null)
            .Join(db.ClientApps.Where(a => a.DisabledAt == null), k => k.ClientAppId, a => a.Id, (k, _) => k)
            .SingleOrDefault());
}
