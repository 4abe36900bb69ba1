using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using StackExchange.Redis;

namespace Psd2.ServiceDefaults.Integrations;

/// <summary>
/// What Aspire.StackExchange.Redis does: one shared <see cref="IConnectionMultiplexer"/> from
/// <c>ConnectionStrings:{name}</c> and a readiness check. StackExchange.Redis stays at 1.2.6 (the only
/// version that restores here); code above this class talks to the multiplexer interface only.
/// </summary>
public static class RedisIntegration
{
    public static IHostApplicationBuilder AddRedisClient(this IHostApplicationBuilder builder, string connectionName)
    {
        var connectionString = ConnectionStrings.Required(builder.Configuration, connectionName);
        var options = ConfigurationOptions.Parse(connectionString);
        // Start even while Redis is down and reconnect on its own; readiness reports the outage meanwhile.
        options.AbortOnConnectFail = false;
        options.ConnectTimeout = 5000;
        builder.Services.AddSingleton<IConnectionMultiplexer>(_ => ConnectionMultiplexer.Connect(options));
        builder.Services.AddHealthChecks().Add(new HealthCheckRegistration(
            connectionName,
            services => new RedisHealthCheck(services.GetRequiredService<IConnectionMultiplexer>()),
            HealthStatus.Unhealthy,
            tags: ["ready", "redis"],
            timeout: TimeSpan.FromSeconds(5)));
        return builder;
    }

    private sealed class RedisHealthCheck(IConnectionMultiplexer redis) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            try
            {
                var latency = await redis.GetDatabase().PingAsync().WaitAsync(cancellationToken);
                return HealthCheckResult.Healthy($"Redis answers in {latency.TotalMilliseconds:0.0} ms.");
            }
            catch (Exception exception) when (exception is RedisException or TimeoutException)
            {
                return HealthCheckResult.Unhealthy("Redis does not answer.", exception);
            }
        }
    }
}
