using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Psd2.Core.Connections;
using Psd2.Core.Connectors;
using Psd2.Core.Persistence;

namespace Psd2.Core.Accounts;

/// <summary>
/// Links the accounts a bank lists under a consent to the user's accounts: one already known (same institution,
/// IBAN and currency) keeps its id and now points at this connection; a new one gets an id. One upsert per account.
/// </summary>
public static class AccountLinks
{
    public static async Task<IReadOnlyList<Account>> LinkAsync(
        Psd2DbContext db, Connection connection, IReadOnlyList<ConnectorAccount> accounts, DateTimeOffset now, ILogger logger, CancellationToken cancellationToken)
    {
        foreach (var account in accounts)
        {
            if (account.Iban is null)
            {
                logger.LogWarning("Connection {ConnectionId}: the bank listed an account without an IBAN; it is left out", connection.Id);
                continue;
            }

            await db.Database.ExecuteSqlAsync($"""
                INSERT INTO accounts (id, client_app_id, user_id, institution_id, connection_id, bank_resource_id, iban, currency, name, product, owner_name, created_at, updated_at)
                VALUES ({Guid.CreateVersion7()}, {connection.ClientAppId}, {connection.UserId}, {connection.InstitutionId}, {connection.Id}, {account.ResourceId},
                        {account.Iban}, {account.Currency}, {account.Name}, {account.Product}, {account.OwnerName}, {now}, {now})
                ON CONFLICT (user_id, institution_id, iban, currency) DO UPDATE SET
                    connection_id = EXCLUDED.connection_id, bank_resource_id = EXCLUDED.bank_resource_id, name = EXCLUDED.name,
                    product = EXCLUDED.product, owner_name = EXCLUDED.owner_name, updated_at = EXCLUDED.updated_at
                WHERE (accounts.connection_id, accounts.bank_resource_id, accounts.name, accounts.product, accounts.owner_name)
                      IS DISTINCT FROM (EXCLUDED.connection_id, EXCLUDED.bank_resource_id, EXCLUDED.name, EXCLUDED.product, EXCLUDED.owner_name)
                """, cancellationToken);
        }

        return await db.Accounts.Where(a => a.ConnectionId == connection.Id).ToListAsync(cancellationToken);
    }
}
