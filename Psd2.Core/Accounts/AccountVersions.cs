using System.Globalization;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Psd2.Core.Accounts;

/// <summary>
/// The read API keeps its cached answers for an account under a version counter in Redis
/// (<c>psd2:account-version:&lt;accountId&gt;</c>); moving the counter on makes every older answer unreachable at once,
/// and they expire by themselves within <see cref="EntryLifetime"/>. The api and the worker both invalidate through
/// this class, so whichever process commits a change, no read after it is answered from before it.
/// </summary>
public sealed partial class AccountVersions(IConnectionMultiplexer redis, ILogger<AccountVersions> logger) : IAccountCache
{
    /// <summary>How long a cached answer lives: what an invalidation Redis could not take leaves stale at most.</summary>
    public static readonly TimeSpan EntryLifetime = TimeSpan.FromMinutes(10);

    /// <summary>A hung Redis costs the caller this much at most.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromMilliseconds(500);

    private const string Prefix = "psd2:account-version:";

    // A missing counter needs nothing: the next lookup starts a new one, under which nothing is cached yet.
    private const string InvalidateScript = """
        for _, key in ipairs(KEYS) do
            if redis.call('EXISTS', key) == 1 then
                redis.call('INCR', key)
            end
        end
        return 0
        """;

    public static string Key(Guid accountId) => Prefix + accountId.ToString("D", CultureInfo.InvariantCulture);

    public async Task InvalidateAsync(IEnumerable<Guid> accountIds, CancellationToken cancellationToken = default)
    {
        var keys = accountIds.Distinct().Select(id => (RedisKey)Key(id)).ToArray();
        if (keys.Length == 0)
        {
            return;
        }

        try
        {
            await redis.GetDatabase().ScriptEvaluateAsync(InvalidateScript, keys).WaitAsync(Timeout, cancellationToken);
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            LogInvalidationFailed(e, keys.Length, (int)EntryLifetime.TotalMinutes);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Invalidating the cached data of {Accounts} accounts failed: reads may show data from before the change for up to {Minutes} minutes")]
    private partial void LogInvalidationFailed(Exception exception, int accounts, int minutes);
}
