using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Npgsql;

namespace Psd2.ServiceDefaults.Integrations;

/// <summary>
/// What Aspire.Npgsql does: one <see cref="NpgsqlDataSource"/> from <c>ConnectionStrings:{name}</c>,
/// and a readiness check named after the database.
/// </summary>
public static class NpgsqlIntegration
{
    public static IHostApplicationBuilder AddNpgsqlDataSource(this IHostApplicationBuilder builder, string connectionName)
    {
        var connectionString = ConnectionStrings.Required(builder.Configuration, connectionName);
        builder.Services.AddSingleton(_ =>
        {
            var dataSource = new NpgsqlDataSourceBuilder(connectionString);
            // Hot statements are prepared once per connection instead of parsed and planned on every call,
            // unless the connection string says otherwise.
            if (!connectionString.Contains("Auto Prepare", StringComparison.OrdinalIgnoreCase))
            {
                dataSource.ConnectionStringBuilder.MaxAutoPrepare = 50;
            }

            return dataSource.Build();
        });
        builder.Services.AddHealthChecks().Add(new HealthCheckRegistration(
            connectionName,
            services => new PostgresHealthCheck(services.GetRequiredService<NpgsqlDataSource>()),
            HealthStatus.Unhealthy,
            tags: ["ready", "postgres"],
            timeout: TimeSpan.FromSeconds(5)));
        return builder;
    }

    private sealed class PostgresHealthCheck(NpgsqlDataSource dataSource) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            try
            {
                await using var command = dataSource.CreateCommand("SELECT 1");
                await command.ExecuteScalarAsync(cancellationToken);
                return HealthCheckResult.Healthy("PostgreSQL answers.");
            }
            catch (Exception exception) when (exception is NpgsqlException or TimeoutException or InvalidOperationException)
            {
                return HealthCheckResult.Unhealthy("PostgreSQL does not answer.", exception);
            }
        }
    }
}
