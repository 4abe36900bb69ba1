using System.Text.Json;
using Psd2.Api.Connections;
using StackExchange.Redis;

namespace Psd2.Api.Connect;

/// <summary>
/// What a connect link lets its holder do: connect one user of one client app, with the scope and validity the app
/// asked for, or authorise one payment of theirs (<paramref name="PaymentId"/>); then return to one redirect URI.
/// </summary>
public sealed record ConnectLink(
    Guid ClientAppId, Guid UserId, string RedirectUri, int? ValidDays, int? FrequencyPerDay, IReadOnlyList<string> Access, DateTimeOffset ExpiresAt,
    Guid? PaymentId = null);

/// <summary>
/// Connect links in Redis: a random token that names a <see cref="ConnectLink"/> for a short while and starts one
/// connection or one payment's authorisation. Taking a link is atomic (read, delete and mark used in one script), so
/// two submits cannot both use it; a start the page refuses puts the link back until it would have expired anyway.
/// </summary>
public sealed class ConnectLinks(IConnectionMultiplexer redis, TimeProvider time)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(15);
    private static readonly TimeSpan UsedMarkerLifetime = TimeSpan.FromDays(1);
    private const string KeyPrefix = "psd2:connect-link:";
    private const string UsedPrefix = "psd2:connect-link-used:";
    private const string TakeScript = """
        local v = redis.call('GET', KEYS[1])
        if v then
            redis.call('DEL', KEYS[1])
            redis.call('SET', KEYS[2], '1', 'EX', ARGV[1])
        end
        return v
        """;
    private const string PutBackScript = "redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) redis.call('DEL', KEYS[2]) return 1";

    public async Task<(string Token, ConnectLink Link)> CreateAsync(
        Guid clientAppId, Guid userId, string redirectUri, int? validDays, int? frequencyPerDay, IReadOnlyList<string> access, Guid? paymentId = null)
    {
        var token = Pkce.RandomToken();
        var link = new ConnectLink(clientAppId, userId, redirectUri, validDays, frequencyPerDay, access, time.GetUtcNow() + Lifetime, paymentId);
        await redis.GetDatabase().StringSetAsync(KeyPrefix + token, JsonSerializer.Serialize(link), Lifetime);
        return (token, link);
    }

    public async Task<ConnectLink?> FindAsync(string token) =>
        IsWellFormed(token) ? Read((string?)await redis.GetDatabase().StringGetAsync(KeyPrefix + token)) : null;

    /// <summary>Whether the link was taken (rather than never issued or expired unused), so the page can say so.</summary>
    public async Task<bool> WasUsedAsync(string token) => IsWellFormed(token) && await redis.GetDatabase().KeyExistsAsync(UsedPrefix + token);

    public async Task<ConnectLink?> TakeAsync(string token) => IsWellFormed(token)
        ? Read((string?)await redis.GetDatabase().ScriptEvaluateAsync(
            TakeScript, [KeyPrefix + token, UsedPrefix + token], [(long)UsedMarkerLifetime.TotalSeconds]))
        : null;

    /// <summary>Makes a taken link usable again for the rest of its lifetime.</summary>
    public async Task PutBackAsync(string token, ConnectLink link)
    {
        var left = link.ExpiresAt - time.GetUtcNow();
        if (left > TimeSpan.Zero)
        {
            await redis.GetDatabase().ScriptEvaluateAsync(
                PutBackScript, [KeyPrefix + token, UsedPrefix + token], [JsonSerializer.Serialize(link), (long)left.TotalMilliseconds]);
        }
    }

    private static bool IsWellFormed(string token) => token.Length is > 0 and <= 100;

    private static ConnectLink? Read(string? value) => value is null ? null : JsonSerializer.Deserialize<ConnectLink>(value);
}
