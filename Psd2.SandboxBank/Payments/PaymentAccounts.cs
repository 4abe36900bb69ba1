using System.Collections.Concurrent;
using Npgsql;
using Psd2.SandboxBank.Data;
using Psd2.SandboxBank.Infrastructure;
using Psd2.SandboxBank.Psus;

namespace Psd2.SandboxBank.Payments;

/// <summary>
/// Finds the account a debtor IBAN names. IBANs are those the bank presents (its country's), which are computed
/// rather than stored, so the accounts are indexed by presented IBAN as they are first met; an unknown IBAN looks
/// again for accounts opened since.
/// </summary>
public sealed class PaymentAccounts(NpgsqlDataSource dataSource, PsuDirectory psus)
{
    private readonly ConcurrentDictionary<string, (AccountSeed Account, string PersonalNumber)> _byIban = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, bool> _indexed = new(StringComparer.Ordinal);

    public async Task<(AccountSeed Account, string PersonalNumber)?> FindAsync(string iban, CancellationToken cancellationToken)
    {
        if (_byIban.TryGetValue(iban, out var known))
        {
            return known;
        }

        await using var command = dataSource.Command("SELECT resource_id, personal_number FROM accounts");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var unseen = new List<(string ResourceId, string PersonalNumber)>();
        while (await reader.ReadAsync(cancellationToken))
        {
            if (!_indexed.ContainsKey(reader.GetString(0)))
            {
                unseen.Add((reader.GetString(0), reader.GetString(1)));
            }
        }

        foreach (var (resourceId, personalNumber) in unseen)
        {
            if (await psus.AccountAsync(resourceId, cancellationToken) is { } account)
            {
                _byIban[account.Iban] = (account, personalNumber);
                _indexed[resourceId] = true;
            }
        }

        return _byIban.TryGetValue(iban, out var found) ? found : null;
    }
}
