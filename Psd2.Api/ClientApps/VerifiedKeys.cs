using System.Collections.Concurrent;
using Psd2.Core.ClientApps;
using StackExchange.Redis;

namespace Psd2.Api.ClientApps;

/// <summary>
/// Keys this process found valid in psd2db recently, so that a hot client's every call does not read the same row:
/// the stored hash is kept (never the secret), and each request's secret is still compared with it. A key is kept
/// for <see cref="Lifetime"/> at most, and forgotten at once when <c>clientapps revoke-key</c> publishes its prefix on
/// <see cref="RevokedChannel"/>. While this process is not subscribed to that channel (Redis down or reconnecting)
/// nothing is kept, so a revocation can never be missed: every call reads psd2db again.
/// </summary>
public sealed class VerifiedKeys(IConnectionMultiplexer redis, ILogger<VerifiedKeys> logger) : IHostedService
{
    public const string RevokedChannel = "psd2:api-keys:revoked";

    /// <summary>The longest a key is trusted without reading psd2db again, however quiet the revocation channel.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(30);

    /// <summary>Far more than the keys of every client app together; past it the memory starts again.</summary>
    private const int MaxKeys = 10_000;

    private readonly ConcurrentDictionary<string, Verified> _keys = new(StringComparer.Ordinal);
    private volatile bool _subscribed;
    private long _forgettings;

    private sealed record Verified(ClientAppKey Client, byte[] SecretHash, long Until);

    public ClientAppKey? Find(string prefix, string secret)
    {
        if (!_subscribed || !_keys.TryGetValue(prefix, out var verified))
        {
            return null;
        }

        if (Environment.TickCount64 > verified.Until)
        {
            _keys.TryRemove(prefix, out _);
            return null;
        }

        return ApiKeyFormat.Matches(secret, verified.SecretHash) ? verified.Client : null;
    }

    /// <summary>Changes whenever a key is forgotten: a key read from psd2db before a revocation arrived is not remembered after it.</summary>
    public long Forgettings => Interlocked.Read(ref _forgettings);

    /// <param name="forgettings">What <see cref="Forgettings"/> was before the key was read from psd2db.</param>
    public void Remember(string prefix, byte[] secretHash, ClientAppKey client, long forgettings)
    {
        if (!_subscribed || Forgettings != forgettings)
        {
            return;
        }

        if (_keys.Count >= MaxKeys)
        {
            _keys.Clear();
        }

        _keys[prefix] = new Verified(client, secretHash, Environment.TickCount64 + (long)Lifetime.TotalMilliseconds);
        if (Forgettings != forgettings)
        {
            // A revocation arrived while this was written: it may have been this key's.
            _keys.TryRemove(prefix, out _);
        }
    }

    /// <summary>Tells every api process to forget a key now (the revoking command's side).</summary>
    public static Task PublishRevokedAsync(IConnectionMultiplexer redis, string prefix) =>
        redis.GetSubscriber().PublishAsync(RedisChannel.Literal(RevokedChannel), prefix);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        // Whatever happened while the link was down may have been missed: start again empty either way.
        redis.ConnectionFailed += (_, _) => Forget(subscribed: false);
        redis.ConnectionRestored += (_, _) => Forget(subscribed: redis.IsConnected);
        try
        {
            await redis.GetSubscriber().SubscribeAsync(RedisChannel.Literal(RevokedChannel), (_, prefix) => Forget((string)prefix!)).WaitAsync(TimeSpan.FromSeconds(5), cancellationToken);
            _subscribed = redis.IsConnected;
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            // Nothing is kept until the connection is restored; every call reads psd2db meanwhile.
            logger.LogWarning(e, "Not subscribed to revoked API keys yet: every call checks its key in the database until Redis answers");
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private void Forget(string prefix)
    {
        Interlocked.Increment(ref _forgettings);
        _keys.TryRemove(prefix, out _);
    }

    private void Forget(bool subscribed)
    {
        Interlocked.Increment(ref _forgettings);
        _subscribed = subscribed;
        _keys.Clear();
    }
}
