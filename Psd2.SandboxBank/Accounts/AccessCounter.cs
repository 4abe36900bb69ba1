using Npgsql;
using Psd2.SandboxBank.Infrastructure;

namespace Psd2.SandboxBank.Accounts;

/// <summary>
/// frequencyPerDay: unattended reads per consent, endpoint and account per bank day, counted atomically in sandboxdb
/// so that concurrent requests cannot both take the last read.
/// </summary>
public sealed class AccessCounter(NpgsqlDataSource dataSource)
{
    /// <summary>Takes one read from the day's budget; false when it is used up.</summary>
    public async Task<bool> TryTakeAsync(string consentId, DateOnly bankDay, string endpoint, string resourceId, int limit, CancellationToken cancellationToken)
    {
        await using var command = dataSource.Command(
            """
            INSERT INTO access_counts (consent_id, bank_day, endpoint, resource_id, count) VALUES ($1, $2, $3, $4, 1)
            ON CONFLICT (consent_id, bank_day, endpoint, resource_id) DO UPDATE SET count = access_counts.count + 1
            WHERE access_counts.count < $5
            """,
            consentId, bankDay, endpoint, resourceId, limit);
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    public async Task<IReadOnlyList<AccessCount>> ListAsync(string? consentId, DateOnly? bankDay, CancellationToken cancellationToken)
    {
        await using var command = dataSource.Command(
            """
            SELECT consent_id, bank_day, endpoint, resource_id, count FROM access_counts
            WHERE ($1::text IS NULL OR consent_id = $1) AND ($2::date IS NULL OR bank_day = $2)
            ORDER BY bank_day, consent_id, endpoint, resource_id
            """,
            consentId, bankDay);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var counts = new List<AccessCount>();
        while (await reader.ReadAsync(cancellationToken))
        {
            counts.Add(new AccessCount(reader.GetString(0), reader.GetFieldValue<DateOnly>(1), reader.GetString(2), reader.GetString(3), reader.GetInt32(4)));
        }

        return counts;
    }

    public async Task ResetAsync(CancellationToken cancellationToken)
    {
        await using var command = dataSource.Command("DELETE FROM access_counts");
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}

public sealed record AccessCount(string ConsentId, DateOnly BankDay, string Endpoint, string ResourceId, int Count);
