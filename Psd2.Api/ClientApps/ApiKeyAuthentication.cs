using Microsoft.EntityFrameworkCore;
using Psd2.Core.ClientApps;
using Psd2.Core.Persistence;

namespace Psd2.Api.ClientApps;

/// <summary>The client app a request acts for, proven by its API key.</summary>
public sealed record ClientAppContext(Guid ClientAppId, Guid KeyId);

/// <summary>
/// Every call under /v1 carries a client app's key (<c>Authorization: Bearer psd2_...</c> or <c>X-Api-Key</c>);
/// without one, or with a wrong, revoked or disabled one, the answer is 401 before anything else is read.
/// </summary>
public static class ApiKeyAuthentication
{
    /// <summary>Keys verified recently, kept in memory and forgotten when revoked (<see cref="VerifiedKeys"/>).</summary>
    public static void AddApiKeys(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<VerifiedKeys>();
        builder.Services.AddHostedService(services => services.GetRequiredService<VerifiedKeys>());
    }

    public static void UseApiKeys(this WebApplication app) =>
        app.UseWhen(context => context.Request.Path.StartsWithSegments("/v1"), api => api.Use(async (context, next) =>
        {
            var key = Presented(context.Request);
            if (key is null)
            {
                await Unauthorized(context, "api_key_missing", "An API key is required: Authorization: Bearer <key> or X-Api-Key.");
                return;
            }

            var client = await AuthenticateAsync(context.RequestServices, key, context.RequestAborted);
            if (client is null)
            {
                await Unauthorized(context, "api_key_invalid", "The API key is not valid.");
                return;
            }

            context.Features.Set(client);
            await next(context);
        }));

    public static Guid ClientAppId(this HttpContext context) =>
        context.Features.Get<ClientAppContext>()?.ClientAppId ?? throw new InvalidOperationException("The request was not authenticated.");

    private static string? Presented(HttpRequest request)
    {
        var authorization = request.Headers.Authorization.ToString();
        if (authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return authorization["Bearer ".Length..].Trim();
        }

        return request.Headers["X-Api-Key"] is { Count: 1 } header ? header.ToString() : null;
    }

    private static async Task<ClientAppContext?> AuthenticateAsync(IServiceProvider services, string key, CancellationToken cancellationToken)
    {
        if (!ApiKeyFormat.TryParse(key, out var prefix, out var secret))
        {
            return null;
        }

        var verified = services.GetRequiredService<VerifiedKeys>();
        if (verified.Find(prefix, secret) is { } known)
        {
            return known;
        }

        var forgettings = verified.Forgettings;
        var stored = await ActiveKey(services.GetRequiredService<Psd2DbContext>(), prefix, cancellationToken);
        if (stored is null || !ApiKeyFormat.Matches(secret, stored.SecretHash))
        {
            return null;
        }

        var client = new ClientAppContext(stored.ClientAppId, stored.Id);
        verified.Remember(prefix, stored.SecretHash, client, forgettings);
        return client;
    }

    /// <summary>The active key with this prefix of an enabled client app; compiled once, as every /v1 call runs it.</summary>
    private static readonly Func<Psd2DbContext, string, CancellationToken, Task<ApiKey?>> ActiveKey = EF.CompileAsyncQuery(
        (Psd2DbContext db, string prefix, CancellationToken _) => db.ApiKeys.AsNoTracking()
            .Where(k => k.Prefix == prefix && k.RevokedAt == null)
            .Join(db.ClientApps.Where(a => a.DisabledAt == null), k => k.ClientAppId, a => a.Id, (k, _) => k)
            .SingleOrDefault());

    private static Task Unauthorized(HttpContext context, string code, string title) =>
        ApiProblems.Problem(StatusCodes.Status401Unauthorized, code, title).ExecuteAsync(context);
}
