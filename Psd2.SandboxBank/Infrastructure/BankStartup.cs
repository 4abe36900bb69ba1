using Microsoft.Extensions.Options;
using Npgsql;
using Psd2.SandboxBank.Data;
using Psd2.SandboxBank.Psus;
using Psd2.SandboxBank.Time;
using Psd2.ServiceDefaults.Migrations;

namespace Psd2.SandboxBank.Infrastructure;

/// <summary>
/// Before the bank answers anything: its schema is brought up to date (it owns sandboxdb, so it migrates it itself),
/// the synthetic customers are created on first start, and the test clock is read back.
/// </summary>
public sealed partial class BankStartup(
    NpgsqlDataSource dataSource, PsuDirectory psus, BankClock clock, IOptions<BankOptions> options, ILoggerFactory loggers)
    : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var migrations = Migration.LoadEmbedded(typeof(BankStartup).Assembly);
        await new SchemaMigrator(dataSource, migrations, loggers.CreateLogger<SchemaMigrator>()).MigrateAsync(cancellationToken);
        await clock.LoadAsync(cancellationToken);
        if (!await psus.AnyAsync(cancellationToken))
        {
            var population = SyntheticBank.Generate(options.Value.Seed, clock.Today);
            foreach (var psu in population)
            {
                await psus.AddAsync(psu, cancellationToken);
            }

            LogSeeded(loggers.CreateLogger<BankStartup>(), population.Count, population.Sum(p => p.Accounts.Count), options.Value.Seed);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(LogLevel.Information, "Created {PsuCount} synthetic PSUs with {AccountCount} accounts from seed {Seed}")]
    private static partial void LogSeeded(ILogger logger, int psuCount, int accountCount, ulong seed);
}
