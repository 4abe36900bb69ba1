using System.Text.Json;
using Psd2.Api.Connections;
using StackExchange.Redis;

namespace Psd2.Api.Connect;

/// <summary>What a session page follows: a connection the Connect page started, or a payment and where its result page leads back to.</summary>
public sealed record ConnectSession(Guid? ConnectionId, Guid? PaymentId = null, string? RedirectUri = null);

/// <summary>
/// The Connect page's view of a connection or payment it started: a random token in the browser's address bar that
/// names it for an hour, long enough to wait for BankID and read the result. An id alone opens nothing.
/// </summary>
public sealed class ConnectSessions(IConnectionMultiplexer redis)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(1);
    private const string KeyPrefix = "psd2:connect-session:";

    public static string NewToken() => Pkce.RandomToken();

    public static string PathFor(string sessionToken) => "/connect/sessions/" + sessionToken;

    public async Task SaveAsync(string sessionToken, ConnectSession session) =>
        await redis.GetDatabase().StringSetAsync(KeyPrefix + sessionToken, JsonSerializer.Serialize(session), Lifetime);

    public async Task<ConnectSession?> FindAsync(string sessionToken)
    {
        if (sessionToken.Length is 0 or > 100)
        {
            return null;
        }

        var value = (string?)await redis.GetDatabase().StringGetAsync(KeyPrefix + sessionToken);
        // A bare id is a connection's session saved before sessions could follow payments; it lives an hour at most.
        return value is null ? null
            : Guid.TryParse(value, out var connectionId) ? new ConnectSession(connectionId)
            : JsonSerializer.Deserialize<ConnectSession>(value);
    }
}
