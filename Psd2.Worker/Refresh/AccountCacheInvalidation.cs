using Psd2.Core.Accounts;
using StackExchange.Redis;

namespace Psd2.Worker.Refresh;

/// <summary>
/// The api caches balances and transaction pages under a version counter per account
/// (<c>psd2:account-version:&lt;accountId&gt;</c>, see the api's AccountCache); a sync the worker commits moves the
/// counters on exactly as the api's own syncs do, so no read after it is answered from before it.
/// </summary>
public sealed class AccountCacheInvalidation(IConnectionMultiplexer redis, ILogger<AccountCacheInvalidation> logger) : IAccountCache
{
    private const string InvalidateScript = """
        for _, key in ipairs(KEYS) do
            if redis.call('EXISTS', key) == 1 then
                redis.call('INCR', key)
            end
        end
        return 0
        """;

    public async Task InvalidateAsync(IEnumerable<Guid> accountIds, CancellationToken cancellationToken = default)
    {
        var keys = accountIds.Distinct().Select(id => (RedisKey)$"psd2:account-version:{id}").ToArray();
        if (keys.Length == 0)
        {
            return;
        }

        try
        {
            await redis.GetDatabase().ScriptEvaluateAsync(InvalidateScript, keys).WaitAsync(TimeSpan.FromMilliseconds(500), cancellationToken);
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            // The api's entries expire within ten minutes by themselves.
            logger.LogWarning(e, "Invalidating the cached data of {Accounts} accounts failed", keys.Length);
        }
    }
}
