using System.Text;
using Microsoft.EntityFrameworkCore;
using Psd2.Core.Accounts;
using Psd2.Core.Audit;
using Psd2.Core.ClientApps;
using Psd2.Core.Connections;
using Psd2.Core.Events;
using Psd2.Core.Payments;
using Psd2.Core.Refresh;
using Psd2.Core.Sync;
using Psd2.Core.Users;
using Psd2.Core.Webhooks;

namespace Psd2.Core.Persistence;

/// <summary>
/// The platform's EF Core model over <c>psd2db</c>. The schema itself comes from the SQL migrations in
/// <c>Migrations/</c>; a test keeps this model and that schema in agreement.
/// </summary>
public sealed class Psd2DbContext(DbContextOptions<Psd2DbContext> options) : DbContext(options)
{
    public DbSet<ClientApp> ClientApps => Set<ClientApp>();
    public DbSet<ApiKey> ApiKeys => Set<ApiKey>();
    public DbSet<EndUser> Users => Set<EndUser>();
    public DbSet<AuditEvent> AuditEvents => Set<AuditEvent>();
    public DbSet<Connection> Connections => Set<Connection>();
    public DbSet<Account> Accounts => Set<Account>();
    public DbSet<Balance> Balances => Set<Balance>();
    public DbSet<Transaction> Transactions => Set<Transaction>();
    public DbSet<SyncRun> SyncRuns => Set<SyncRun>();
    public DbSet<PlatformEvent> PlatformEvents => Set<PlatformEvent>();
    public DbSet<WebhookEndpoint> WebhookEndpoints => Set<WebhookEndpoint>();
    public DbSet<WebhookDelivery> WebhookDeliveries => Set<WebhookDelivery>();
    public DbSet<WebhookAttempt> WebhookAttempts => Set<WebhookAttempt>();
    public DbSet<RefreshBudget> RefreshBudgets => Set<RefreshBudget>();
    public DbSet<ConnectionJobRun> ConnectionJobRuns => Set<ConnectionJobRun>();
    public DbSet<SchedulerJobStat> SchedulerJobStats => Set<SchedulerJobStat>();
    public DbSet<Payment> Payments => Set<Payment>();

    public override int SaveChanges(bool acceptAllChangesOnSuccess)
    {
        KeepTimesAsStored();
        return base.SaveChanges(acceptAllChangesOnSuccess);
    }

    public override Task<int> SaveChangesAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken = default)
    {
        KeepTimesAsStored();
        return base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
    }

    /// <summary>
    /// Every time about to be written cut to what <c>timestamptz</c> keeps (<see cref="StoredTime"/>), so that an entity
    /// holds after saving what every later read returns, and a create answers what a read of it answers.
    /// </summary>
    private void KeepTimesAsStored()
    {
        foreach (var entry in ChangeTracker.Entries().Where(e => e.State is EntityState.Added or EntityState.Modified))
        {
            foreach (var property in entry.Properties)
            {
                if (property.CurrentValue is DateTimeOffset time && time.Ticks % TimeSpan.TicksPerMicrosecond != 0)
                {
                    property.CurrentValue = time.AsStored();
                }
            }
        }
    }

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<ClientApp>().ToTable("client_apps");
        modelBuilder.Entity<ApiKey>(key =>
        {
            key.ToTable("api_keys");
            key.HasIndex(k => k.Prefix).IsUnique();
            key.HasOne<ClientApp>().WithMany().HasForeignKey(k => k.ClientAppId);
        });
        modelBuilder.Entity<EndUser>(user =>
        {
            user.ToTable("users");
            user.HasIndex(u => new { u.ClientAppId, u.ExternalReference }).IsUnique();
            user.HasOne<ClientApp>().WithMany().HasForeignKey(u => u.ClientAppId);
        });
        modelBuilder.Entity<AuditEvent>(audit =>
        {
            audit.ToTable("audit_events");
            audit.Property(a => a.Id).UseIdentityAlwaysColumn();
            audit.Property(a => a.Details).HasColumnType("jsonb");
            audit.HasIndex(a => new { a.ClientAppId, a.Id });
        });

        modelBuilder.Entity<Connection>(connection =>
        {
            connection.ToTable("connections");
            connection.HasIndex(c => new { c.ClientAppId, c.UserId });
            connection.HasOne<ClientApp>().WithMany().HasForeignKey(c => c.ClientAppId);
            connection.HasOne<EndUser>().WithMany().HasForeignKey(c => c.UserId);
        });

        modelBuilder.Entity<Payment>(payment =>
        {
            payment.ToTable("payments");
            payment.HasIndex(p => new { p.ClientAppId, p.IdempotencyKey }).IsUnique();
            payment.HasIndex(p => new { p.ClientAppId, p.UserId, p.CreatedAt, p.Id });
            payment.HasIndex(p => p.NextPollAt).HasFilter("next_poll_at IS NOT NULL");
            payment.Property(p => p.Amount).HasPrecision(20, 2);
            payment.HasOne<ClientApp>().WithMany().HasForeignKey(p => p.ClientAppId);
            payment.HasOne<EndUser>().WithMany().HasForeignKey(p => p.UserId);
        });

        modelBuilder.Entity<Account>(account =>
        {
            account.ToTable("accounts");
            account.HasIndex(a => new { a.UserId, a.InstitutionId, a.Iban, a.Currency }).IsUnique();
            account.HasOne<EndUser>().WithMany().HasForeignKey(a => a.UserId);
            account.HasOne<Connection>().WithMany().HasForeignKey(a => a.ConnectionId).OnDelete(DeleteBehavior.SetNull);
        });

        modelBuilder.Entity<Balance>(balance =>
        {
            balance.ToTable("balances");
            balance.HasKey(b => new { b.AccountId, b.BalanceType, b.Currency });
            balance.Property(b => b.Amount).HasPrecision(20, 4);
            balance.HasOne<Account>().WithMany().HasForeignKey(b => b.AccountId);
        });

        modelBuilder.Entity<Transaction>(transaction =>
        {
            transaction.ToTable("transactions");
            transaction.Property(t => t.Amount).HasPrecision(20, 4);
            transaction.Property(t => t.Raw).HasColumnType("jsonb");
            transaction.HasIndex(t => new { t.AccountId, t.BankTransactionId }).IsUnique();
            transaction.HasOne<Account>().WithMany().HasForeignKey(t => t.AccountId);
        });

        modelBuilder.Entity<SyncRun>(run =>
        {
            run.ToTable("sync_runs");
            run.HasOne<Connection>().WithMany().HasForeignKey(r => r.ConnectionId);
        });

        modelBuilder.Entity<PlatformEvent>(platformEvent =>
        {
            platformEvent.ToTable("platform_events");
            platformEvent.Property(e => e.Data).HasColumnType("jsonb");
            platformEvent.HasIndex(e => new { e.ClientAppId, e.OccurredAt });
            platformEvent.HasOne<ClientApp>().WithMany().HasForeignKey(e => e.ClientAppId);
        });

        modelBuilder.Entity<WebhookEndpoint>(endpoint =>
        {
            endpoint.ToTable("webhook_endpoints");
            endpoint.HasIndex(e => e.ClientAppId);
            endpoint.HasOne<ClientApp>().WithMany().HasForeignKey(e => e.ClientAppId);
        });

        modelBuilder.Entity<WebhookDelivery>(delivery =>
        {
            delivery.ToTable("webhook_deliveries");
            delivery.HasIndex(d => new { d.EndpointId, d.EventId }).IsUnique();
            delivery.HasIndex(d => new { d.EndpointId, d.CreatedAt });
            delivery.HasOne<WebhookEndpoint>().WithMany().HasForeignKey(d => d.EndpointId);
            delivery.HasOne<PlatformEvent>().WithMany().HasForeignKey(d => d.EventId);
        });

        modelBuilder.Entity<WebhookAttempt>(attempt =>
        {
            attempt.ToTable("webhook_attempts");
            attempt.Property(a => a.Id).UseIdentityAlwaysColumn();
            attempt.HasOne<WebhookDelivery>().WithMany().HasForeignKey(a => a.DeliveryId);
        });

        modelBuilder.Entity<RefreshBudget>(budget =>
        {
            budget.ToTable("refresh_budgets");
            budget.HasKey(b => new { b.ConnectionId, b.BankDay });
            budget.HasOne<Connection>().WithMany().HasForeignKey(b => b.ConnectionId);
        });

        modelBuilder.Entity<ConnectionJobRun>(run =>
        {
            run.ToTable("connection_job_runs");
            run.HasIndex(r => new { r.ConnectionId, r.StartedAt });
            run.HasOne<Connection>().WithMany().HasForeignKey(r => r.ConnectionId);
        });

        modelBuilder.Entity<SchedulerJobStat>(stat =>
        {
            stat.ToTable("scheduler_job_stats");
            stat.HasKey(s => s.Job);
        });

        UseSnakeCaseColumns(modelBuilder);
    }

    // The SQL schema is written in PostgreSQL's snake_case; map every property to it in one place.
    private static void UseSnakeCaseColumns(ModelBuilder modelBuilder)
    {
        foreach (var entity in modelBuilder.Model.GetEntityTypes())
        {
            foreach (var property in entity.GetProperties())
            {
                property.SetColumnName(ToSnakeCase(property.Name));
            }
        }
    }

    public static string ToSnakeCase(string name)
    {
        var builder = new StringBuilder(name.Length + 8);
        for (var i = 0; i < name.Length; i++)
        {
            if (char.IsUpper(name[i]) && i > 0 && !char.IsUpper(name[i - 1]))
            {
                builder.Append('_');
            }

            builder.Append(char.ToLowerInvariant(name[i]));
        }

        return builder.ToString();
    }
}
