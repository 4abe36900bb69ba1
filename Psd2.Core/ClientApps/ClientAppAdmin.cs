using Microsoft.EntityFrameworkCore;
using Psd2.Core.Persistence;

namespace Psd2.Core.ClientApps;

public sealed record IssuedApiKey(Guid KeyId, string Key);

public sealed record CreatedClientApp(Guid ClientAppId, string Name, IReadOnlyList<string> RedirectUris, IssuedApiKey ApiKey);

/// <summary>Creating client apps and managing their keys: what the api's <c>clientapps</c> command runs.</summary>
public sealed class ClientAppAdmin(Psd2DbContext db, TimeProvider time)
{
    /// <summary>Two active keys let a client rotate without downtime: add the new key, deploy it, revoke the old one.</summary>
    public const int MaxActiveKeys = 2;

    public async Task<CreatedClientApp> CreateAsync(string name, IReadOnlyList<string> redirectUris, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(name) || name.Length > 100)
        {
            throw new ClientAppException("A client app needs a name of at most 100 characters.");
        }

        if (redirectUris.FirstOrDefault(uri => !RedirectUris.IsAcceptable(uri)) is { } bad)
        {
            throw new ClientAppException($"'{bad}' is not an acceptable redirect URI: absolute https (http only on loopback), no fragment.");
        }

        var app = new ClientApp { Id = Guid.NewGuid(), Name = name.Trim(), RedirectUris = redirectUris.Distinct().ToArray(), CreatedAt = time.GetUtcNow() };
        db.ClientApps.Add(app);
        var key = AddKey(app.Id);
        await db.SaveChangesAsync(cancellationToken);
        return new CreatedClientApp(app.Id, app.Name, app.RedirectUris, key);
    }

    public async Task<IssuedApiKey> CreateKeyAsync(Guid clientAppId, CancellationToken cancellationToken)
    {
        if (!await db.ClientApps.AnyAsync(a => a.Id == clientAppId, cancellationToken))
        {
            throw new ClientAppException($"No client app {clientAppId}.");
        }

        if (await db.ApiKeys.CountAsync(k => k.ClientAppId == clientAppId && k.RevokedAt == null, cancellationToken) >= MaxActiveKeys)
        {
            throw new ClientAppException($"A client app has at most {MaxActiveKeys} active keys; revoke one first.");
        }

        var key = AddKey(clientAppId);
        await db.SaveChangesAsync(cancellationToken);
        return key;
    }

    /// <returns>The revoked key's prefix, which the api processes are told to forget.</returns>
    public async Task<string> RevokeKeyAsync(Guid clientAppId, Guid keyId, CancellationToken cancellationToken)
    {
        var key = await db.ApiKeys.SingleOrDefaultAsync(k => k.Id == keyId && k.ClientAppId == clientAppId, cancellationToken)
            ?? throw new ClientAppException($"No key {keyId} for client app {clientAppId}.");
        key.RevokedAt ??= time.GetUtcNow();
        await db.SaveChangesAsync(cancellationToken);
        return key.Prefix;
    }

    private IssuedApiKey AddKey(Guid clientAppId)
    {
        var (key, prefix, hash) = ApiKeyFormat.Generate();
        var apiKey = new ApiKey { Id = Guid.NewGuid(), ClientAppId = clientAppId, Prefix = prefix, SecretHash = hash, CreatedAt = time.GetUtcNow() };
        db.ApiKeys.Add(apiKey);
        return new IssuedApiKey(apiKey.Id, key);
    }
}

/// <summary>A refused administrative request, with a message for the operator.</summary>
public sealed class ClientAppException(string message) : Exception(message);
