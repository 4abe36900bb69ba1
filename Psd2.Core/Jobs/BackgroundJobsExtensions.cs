using Hangfire;
using Hangfire.PostgreSql;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;

namespace Psd2.Core.Jobs;

/// <summary>
/// Hangfire with its storage in psd2db (schema <see cref="Schema"/>, installed by the migrator): the api enqueues jobs
/// with it, the worker runs them. Enqueued jobs are announced with LISTEN/NOTIFY, so an idle worker starts one at once
/// rather than at its next poll.
/// </summary>
public static class BackgroundJobsExtensions
{
    public const string Schema = "hangfire";

    /// <param name="connections">The most PostgreSQL connections Hangfire's own pool may open in this process.</param>
    /// <param name="configure">Storage settings that matter to a process running jobs (invisibility timeout, lock timeout).</param>
    /// <param name="filters">Filters only a process running jobs adds.</param>
    public static void AddBackgroundJobs(
        this IHostApplicationBuilder builder, int connections, Action<PostgreSqlStorageOptions>? configure = null,
        Action<IServiceProvider, IGlobalConfiguration>? filters = null)
    {
        var connectionString = new NpgsqlConnectionStringBuilder(builder.Configuration.GetConnectionString("psd2db")
            ?? throw new InvalidOperationException("ConnectionStrings:psd2db is required."))
        {
            MaxPoolSize = connections,
            ApplicationName = "hangfire",
        }.ConnectionString;
        var options = new PostgreSqlStorageOptions
        {
            SchemaName = Schema,
            PrepareSchemaIfNecessary = false,
            EnableLongPolling = true,
            // A job's row stays invisible to other servers while its server is alive (heartbeats slide the timeout), and
            // becomes visible again one timeout after the server died.
            UseSlidingInvisibilityTimeout = true,
        };
        configure?.Invoke(options);
        builder.Services.AddHangfire((services, hangfire) =>
        {
            hangfire.SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
                .UseSimpleAssemblyNameTypeSerializer()
                .UseRecommendedSerializerSettings()
                .UseFilter(new JobTracing())
                .UsePostgreSqlStorage(storage => storage.UseNpgsqlConnection(connectionString), options);
            filters?.Invoke(services, hangfire);
        });
    }

    /// <summary>Creates or upgrades Hangfire's schema (the migrator's step, so no service races another on DDL).</summary>
    public static void InstallSchema(NpgsqlConnection connection) => PostgreSqlObjectsInstaller.Install(connection, Schema);
}
