using Psd2.Api.Connections;
using StackExchange.Redis;

namespace Psd2.Api.Connect;

/// <summary>
/// The Connect page's view of a connection it started: a random token in the browser's address bar that names the
/// connection for an hour, long enough to wait for BankID and read the result. A connection id alone opens nothing.
/// </summary>
public sealed class ConnectSessions(IConnectionMultiplexer redis)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(1);
    private const string KeyPrefix = "psd2:connect-session:";

    public static string NewToken() => Pkce.RandomToken();

    public static string PathFor(string sessionToken) => "/connect/sessions/" + sessionToken;

    public async Task SaveAsync(string sessionToken, Guid connectionId) =>
        await redis.GetDatabase().StringSetAsync(KeyPrefix + sessionToken, connectionId.ToString(), Lifetime);

    public async Task<Guid?> FindAsync(string sessionToken)
    {
        if (sessionToken.Length is 0 or > 100)
        {
            return null;
        }

        var value = await redis.GetDatabase().StringGetAsync(KeyPrefix + sessionToken);
        return Guid.TryParse((string?)value, out var connectionId) ? connectionId : null;
    }
}
