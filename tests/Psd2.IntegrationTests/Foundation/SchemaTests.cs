using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Psd2.Core.Persistence;
using Psd2.IntegrationTests.Harness;
using Psd2.ServiceDefaults.Migrations;

namespace Psd2.IntegrationTests.Foundation;

/// <summary>The EF model and the schema the SQL migrations build must agree, column by column.</summary>
[Collection(AppCollection.Name)]
public sealed class SchemaTests(AppFixture fixture)
{
    private readonly string _connectionString = fixture.App.GetConnectionString("psd2db");

    [Fact]
    public async Task EveryEntityMapsToAMigratedTableWithTheSameColumns()
    {
        await using var db = CreateContext();
        var schema = await ReadSchemaAsync();

        foreach (var entity in db.Model.GetEntityTypes())
        {
            var table = entity.GetTableName()!;
            Assert.True(schema.ContainsKey(table), $"table {table} of {entity.ClrType.Name} is not in the migrated schema");
            var storeObject = Microsoft.EntityFrameworkCore.Metadata.StoreObjectIdentifier.Table(table, entity.GetSchema());
            var mapped = entity.GetProperties().ToDictionary(p => p.GetColumnName(storeObject)!, p => p);

            Assert.Equal(schema[table].Keys.Order(), mapped.Keys.Order());
            foreach (var (column, property) in mapped)
            {
                var (dataType, nullable) = schema[table][column];
                Assert.True(nullable == property.IsNullable, $"{table}.{column}: nullable is {nullable} in the schema, {property.IsNullable} in the model");
                Assert.Equal(property.GetColumnType(), dataType);
            }
        }
    }

    [Fact]
    public async Task EveryEntityCanBeQueried()
    {
        await using var db = CreateContext();

        // Each query selects every mapped column: a column missing from the schema throws here.
        await db.ClientApps.Take(1).ToListAsync();
        await db.ApiKeys.Take(1).ToListAsync();
        await db.Users.Take(1).ToListAsync();
        await db.AuditEvents.Take(1).ToListAsync();
        await db.Connections.Take(1).ToListAsync();
        await db.Accounts.Take(1).ToListAsync();
        await db.Balances.Take(1).ToListAsync();
        await db.Transactions.Take(1).ToListAsync();
        await db.SyncRuns.Take(1).ToListAsync();
        await db.PlatformEvents.Take(1).ToListAsync();
        await db.WebhookEndpoints.Take(1).ToListAsync();
        await db.WebhookDeliveries.Take(1).ToListAsync();
        await db.WebhookAttempts.Take(1).ToListAsync();
        await db.RefreshBudgets.Take(1).ToListAsync();
        await db.ConnectionJobRuns.Take(1).ToListAsync();
        await db.SchedulerJobStats.Take(1).ToListAsync();
        await db.Payments.Take(1).ToListAsync();
        Assert.Equal(17, db.Model.GetEntityTypes().Count());
    }

    [Fact]
    public async Task MigratingAgainAppliesNothing()
    {
        await using var dataSource = NpgsqlDataSource.Create(_connectionString);
        var migrator = new SchemaMigrator(dataSource, Migration.LoadEmbedded(typeof(Psd2DbContext).Assembly), NullLogger<SchemaMigrator>.Instance);

        var applied = await migrator.MigrateAsync(CancellationToken.None);

        Assert.Empty(applied);
        await using var command = dataSource.CreateCommand("SELECT max(version) FROM schema_migrations");
        Assert.Equal(Migration.LoadEmbedded(typeof(Psd2DbContext).Assembly)[^1].Version, (int)(await command.ExecuteScalarAsync())!);
    }

    private Psd2DbContext CreateContext() =>
        new(new DbContextOptionsBuilder<Psd2DbContext>().UseNpgsql(_connectionString).Options);

    private async Task<Dictionary<string, Dictionary<string, (string DataType, bool Nullable)>>> ReadSchemaAsync()
    {
        await using var dataSource = NpgsqlDataSource.Create(_connectionString);
        await using var command = dataSource.CreateCommand("""
            SELECT table_name, column_name, format_type(a.atttypid, a.atttypmod), is_nullable = 'YES'
            FROM information_schema.columns c
            JOIN pg_attribute a ON a.attrelid = (quote_ident(c.table_schema) || '.' || quote_ident(c.table_name))::regclass AND a.attname = c.column_name
            WHERE c.table_schema = 'public' AND c.table_name <> 'schema_migrations'
            """);
        var schema = new Dictionary<string, Dictionary<string, (string, bool)>>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            var table = reader.GetString(0);
            if (!schema.TryGetValue(table, out var columns))
            {
                schema[table] = columns = [];
            }

            columns[reader.GetString(1)] = (reader.GetString(2), reader.GetBoolean(3));
        }

        return schema;
    }
}
