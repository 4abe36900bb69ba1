using Microsoft.EntityFrameworkCore;
using Psd2.Core.Persistence;

namespace Psd2.Core.Refresh;

/// <summary>
/// The daily budget of unattended reads, kept in PostgreSQL so that worker restarts, several replicas and the api
/// all see one count. A read is taken with one conditional upsert before the bank is called: two takers can never
/// both get the last read, and a read once taken stays spent even if the run that took it dies.
/// </summary>
public sealed class RefreshBudgetStore(Psd2DbContext db)
{
    /// <summary>Takes one read of the bank day's budget: the number of reads used with this one, or null when none is left.</summary>
    public async Task<int?> TryTakeAsync(Guid connectionId, DateOnly bankDay, int allowed, CancellationToken cancellationToken)
    {
        var used = await db.Database.SqlQuery<int>($"""
            INSERT INTO refresh_budgets AS b (connection_id, bank_day, used, allowed) VALUES ({connectionId}, {bankDay}, 1, {allowed})
            ON CONFLICT (connection_id, bank_day) DO UPDATE SET used = b.used + 1
            WHERE b.used < b.allowed
            RETURNING used AS "Value"
            """).ToListAsync(cancellationToken);
        return used is [var count] ? count : null;
    }

    /// <summary>The bank says the day's reads are spent: nothing more is taken from this bank day.</summary>
    public Task SpendAsync(Guid connectionId, DateOnly bankDay, int allowed, CancellationToken cancellationToken) =>
        db.Database.ExecuteSqlAsync($"""
            INSERT INTO refresh_budgets AS b (connection_id, bank_day, used, allowed) VALUES ({connectionId}, {bankDay}, {allowed}, {allowed})
            ON CONFLICT (connection_id, bank_day) DO UPDATE SET used = b.allowed
            """, cancellationToken);
}
