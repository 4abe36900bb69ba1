using System.Text.Json;
using StackExchange.Redis;

namespace Psd2.Api.Connections;

/// <summary>What the callback needs to finish a redirect: the connection and the PKCE verifier, never sent to the browser.</summary>
/// <param name="ReturnTo">A path on the api to send the browser to instead of the client's redirect URI (the Connect page).</param>
public sealed record PendingAuthorization(Guid ConnectionId, string CodeVerifier, string TokenEndpoint, string? ReturnTo = null);

/// <summary>What the payment callback needs: the payment whose authorisation the browser comes back from.</summary>
/// <param name="ReturnTo">A path on the api to send the browser to instead of the client's redirect URI (the Connect page).</param>
public sealed record PendingPaymentAuthorization(Guid PaymentId, string? ReturnTo = null);

/// <summary>
/// OAuth <c>state</c> values: random, bound to one connection or payment, kept in Redis for a short while and taken
/// exactly once (read and delete in one script), so a replayed or forged callback finds nothing. Each kind of pending
/// authorisation has keys of its own, so a connection's state never finishes a payment.
/// </summary>
public sealed class AuthorizationStates(IConnectionMultiplexer redis)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(15);
    private const string KeyPrefix = "psd2:oauth-state:";
    private const string TakeScript = "local v = redis.call('GET', KEYS[1]) if v then redis.call('DEL', KEYS[1]) end return v";

    public async Task SaveAsync<T>(string state, T pending) =>
        await redis.GetDatabase().StringSetAsync(Key<T>(state), JsonSerializer.Serialize(pending), Lifetime);

    public Task<PendingAuthorization?> TakeAsync(string state) => TakeAsync<PendingAuthorization>(state);

    public async Task<T?> TakeAsync<T>(string state) where T : class
    {
        if (state.Length is 0 or > 100)
        {
            return null;
        }

        var value = (string?)await redis.GetDatabase().ScriptEvaluateAsync(TakeScript, [Key<T>(state)]);
        return value is null ? null : JsonSerializer.Deserialize<T>(value);
    }

    private static string Key<T>(string state) => typeof(T) == typeof(PendingAuthorization) ? KeyPrefix + state : $"{KeyPrefix}{typeof(T).Name}:{state}";
}
