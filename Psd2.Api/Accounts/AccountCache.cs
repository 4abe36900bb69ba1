using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Caching.Memory;
using Psd2.Core.Accounts;
using StackExchange.Redis;

namespace Psd2.Api.Accounts;

/// <summary>
/// What the cache holds for one read: the JSON as sent, the account's version it was found under (null when Redis
/// failed), and whether this process confirmed the account's owner within <see cref="AccountCache.OwnerRecheck"/>.
/// </summary>
public readonly record struct CacheLookup(byte[]? Json, string? Version, bool OwnerConfirmed);

/// <summary>
/// Redis cache of the read API's answers (balances, transaction pages), kept as the JSON bytes sent, so a cached
/// answer is byte for byte the uncached one. Each account has a version counter (<see cref="AccountVersions"/>) and an
/// entry's key holds the version it was read under: invalidating moves the counter on, which makes every older entry
/// unreachable at once (they expire by themselves). Redis failing never fails a read: the
/// caller reads PostgreSQL instead and a warning is logged.
/// Each process also keeps the answers it served in memory (up to <see cref="LocalBytes"/>), still under the version
/// read from Redis on every lookup, so a hot page costs one small GET rather than a 40 KB one; such an answer was served
/// after an owner check, which the caller repeats once it is older than <see cref="OwnerRecheck"/>.
/// </summary>
public sealed partial class AccountCache(IConnectionMultiplexer redis, ILogger<AccountCache> logger) : IDisposable
{
    public static readonly TimeSpan Lifetime = AccountVersions.EntryLifetime;

    /// <summary>
    /// How long an owner check of this process vouches for its in-memory answers. Deleting an account invalidates its
    /// version, so this bounds only what a deletion could leave behind while Redis could not be told.
    /// </summary>
    public static readonly TimeSpan OwnerRecheck = TimeSpan.FromSeconds(5);

    /// <summary>The memory the in-process answers may take, in bytes of JSON.</summary>
    public const long LocalBytes = 64L * 1024 * 1024;

    private readonly MemoryCache _local = new(new MemoryCacheOptions { SizeLimit = LocalBytes });

    /// <summary>An answer this process served: under which version, and when its owner was last confirmed (Environment.TickCount64).</summary>
    private sealed record Local(string Version, byte[] Json, long OwnerConfirmedAt);

    /// <summary>
    /// A counter outlives every entry written under it, and a missing one starts at a random value rather than 0: an
    /// entry written under an earlier life of the counter (before it expired or Redis restarted) is never reached again.
    /// </summary>
    private static readonly TimeSpan VersionLifetime = TimeSpan.FromDays(1);

    /// <summary>A hung Redis costs a read this much at most before it goes to PostgreSQL.</summary>
    private static readonly TimeSpan Timeout = AccountVersions.Timeout;

    private static readonly TimeSpan WarningInterval = TimeSpan.FromSeconds(10);

    private const string EntryPrefix = "psd2:account-data:";

    private long _lastWarning;
    private int _failures;

    private static string EntryKey(Guid accountId, string version, string entry) => EntryKeyPrefix(accountId) + version + ":" + entry;

    /// <summary>The key prefix of every entry of an account, whatever its version.</summary>
    public static string EntryKeyPrefix(Guid accountId) => EntryPrefix + accountId.ToString("D", CultureInfo.InvariantCulture) + ":";

    /// <summary>
    /// The account's current version, then the entry under it: two plain GETs. (One Lua script doing both costs Redis
    /// three times the CPU, as it copies a 40 KB page into Lua and out again.)
    /// </summary>
    /// <param name="entry">What is read, for one client app: e.g. <c>&lt;clientAppId&gt;:transactions:&lt;hash of filters and cursor&gt;</c>.</param>
    public async Task<CacheLookup> LookupAsync(Guid accountId, string entry)
    {
        try
        {
            var database = redis.GetDatabase();
            var versionKey = AccountVersions.Key(accountId);
            var version = (string?)await database.StringGetAsync(versionKey).WaitAsync(Timeout);
            if (version is null)
            {
                // A new counter: of readers racing to start it, one sets it and the others read what it set.
                var fresh = Random.Shared.NextInt64(2, long.MaxValue / 2).ToString(CultureInfo.InvariantCulture);
                version = await database.StringSetAsync(versionKey, fresh, VersionLifetime, When.NotExists).WaitAsync(Timeout)
                    ? fresh
                    : (string?)await database.StringGetAsync(versionKey).WaitAsync(Timeout);
            }

            if (version is null)
            {
                return default;
            }

            var key = EntryKey(accountId, version, entry);
            if (_local.TryGetValue(key, out Local? local) && local!.Version == version)
            {
                return new CacheLookup(local.Json, version, Environment.TickCount64 - local.OwnerConfirmedAt < (long)OwnerRecheck.TotalMilliseconds);
            }

            return new CacheLookup((byte[]?)await database.StringGetAsync(key).WaitAsync(Timeout), version, OwnerConfirmed: false);
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            Failed(e, "lookup");
            return default;
        }
    }

    /// <summary>Keeps an answer under the version <see cref="LookupAsync"/> found before the database was read.</summary>
    public async Task StoreAsync(Guid accountId, string version, string entry, byte[] json)
    {
        Confirmed(accountId, version, entry, json);
        try
        {
            await redis.GetDatabase().StringSetAsync(EntryKey(accountId, version, entry), json, Lifetime).WaitAsync(Timeout);
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            Failed(e, "store");
        }
    }

    /// <summary>Keeps an answer in this process's memory, its owner confirmed just now, under the version it was found or read under.</summary>
    public void Confirmed(Guid accountId, string version, string entry, byte[] json) =>
        _local.Set(EntryKey(accountId, version, entry), new Local(version, json, Environment.TickCount64),
            new MemoryCacheEntryOptions { Size = json.Length, AbsoluteExpirationRelativeToNow = Lifetime });

    public void Dispose() => _local.Dispose();

    /// <summary>One warning per interval while Redis is failing, with how many operations failed, not one per request.</summary>
    private void Failed(Exception e, string operation)
    {
        Interlocked.Increment(ref _failures);
        var now = Stopwatch.GetTimestamp();
        var last = Interlocked.Read(ref _lastWarning);
        if ((last != 0 && Stopwatch.GetElapsedTime(last, now) < WarningInterval) || Interlocked.CompareExchange(ref _lastWarning, now, last) != last)
        {
            return;
        }

        LogUnavailable(e, operation, Interlocked.Exchange(ref _failures, 0));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The account data cache is unavailable ({Operation} failed; {Failures} cache operations failed since the last warning): reads go to the database")]
    private partial void LogUnavailable(Exception exception, string operation, int failures);
}
