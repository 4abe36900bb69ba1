using StackExchange.Redis;

namespace Psd2.ServiceDefaults.Data;

/// <summary>Settings every service's Redis connection shares, for Aspire's <c>AddRedisClient(name, configureOptions: ...)</c>.</summary>
public static class RedisDefaults
{
    /// <summary>
    /// Start even while Redis is down and reconnect on its own; the readiness check reports the outage meanwhile,
    /// and callers fall back where they can (the cache, the rate limit, key revocation). Commands issued while the
    /// connection is down fail at once, as they did before StackExchange.Redis 2 queued them in a backlog: the callers
    /// wait at most half a second for Redis and would otherwise leave work queued behind them.
    /// </summary>
    public static void StartWhileRedisIsDown(ConfigurationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.AbortOnConnectFail = false;
        options.ConnectTimeout = 5000;
        options.BacklogPolicy = BacklogPolicy.FailFast;
    }
}
