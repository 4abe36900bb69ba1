using System.Text.Json;
using StackExchange.Redis;

namespace Psd2.Api.Connections;

/// <summary>What the callback needs to finish a redirect: the connection and the PKCE verifier, never sent to the browser.</summary>
/// <param name="ReturnTo">A path on the api to send the browser to instead of the client's redirect URI (the Connect page).</param>
public sealed record PendingAuthorization(Guid ConnectionId, string CodeVerifier, string TokenEndpoint, string? ReturnTo = null);

/// <summary>
/// OAuth <c>state</c> values: random, bound to one connection, kept in Redis for a short while and taken exactly
/// once (read and delete in one script), so a replayed or forged callback finds nothing.
/// </summary>
public sealed class AuthorizationStates(IConnectionMultiplexer redis)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(15);
    private const string KeyPrefix = "psd2:oauth-state:";
    private const string TakeScript = "local v = redis.call('GET', KEYS[1]) if v then redis.call('DEL', KEYS[1]) end return v";

    public async Task SaveAsync(string state, PendingAuthorization pending) =>
        await redis.GetDatabase().StringSetAsync(KeyPrefix + state, JsonSerializer.Serialize(pending), Lifetime);

    public async Task<PendingAuthorization?> TakeAsync(string state)
    {
        if (state.Length is 0 or > 100)
        {
            return null;
        }

        var value = (string?)await redis.GetDatabase().ScriptEvaluateAsync(TakeScript, [KeyPrefix + state]);
        return value is null ? null : JsonSerializer.Deserialize<PendingAuthorization>(value);
    }
}
