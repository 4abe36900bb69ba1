using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Psd2.Core.Jobs;
using Psd2.Core.Persistence;
using Psd2.ServiceDefaults;
using Psd2.ServiceDefaults.Data;
using Psd2.ServiceDefaults.Migrations;

// Brings psd2db to the newest schema (the platform's and Hangfire's), then exits: the AppHost (or a Kubernetes init container) runs it
// to completion before api and worker start, so they never see a half-migrated database.
var builder = Host.CreateApplicationBuilder(args);
builder.AddBasicServiceDefaults();
builder.AddNpgsqlDataSource("psd2db", configureDataSourceBuilder: NpgsqlDefaults.Configure);
builder.Services.AddSingleton(services => new SchemaMigrator(
    services.GetRequiredService<Npgsql.NpgsqlDataSource>(),
    Migration.LoadEmbedded(typeof(Psd2DbContext).Assembly),
    services.GetRequiredService<Microsoft.Extensions.Logging.ILogger<SchemaMigrator>>()));

using var host = builder.Build();
using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
await host.Services.GetRequiredService<SchemaMigrator>().MigrateAsync(timeout.Token);

// Hangfire's own schema (its installer's versioned scripts), here rather than in each service: api and worker
// replicas starting together never race on DDL, and neither needs rights to change the schema.
await using (var connection = await host.Services.GetRequiredService<Npgsql.NpgsqlDataSource>().OpenConnectionAsync(timeout.Token))
{
    BackgroundJobsExtensions.InstallSchema(connection);
}
