using System.Text.Json;
using Npgsql;
using Psd2.SandboxBank.BerlinGroup;
using Psd2.SandboxBank.Infrastructure;
using Psd2.SandboxBank.OAuth;

namespace Psd2.SandboxBank.Consents;

/// <summary>Consents, their authorisations and the accounts they cover, in sandboxdb.</summary>
public sealed class ConsentStore(NpgsqlDataSource dataSource)
{
    private const string ConsentColumns =
        "consent_id, tpp_id, status, access::text, recurring, valid_until, frequency_per_day, combined_service, sca_approach, psu_id, redirect_uri, nok_redirect_uri, created_at, last_action_date, "
        + "permissions, expires_at, transaction_from, transaction_to, status_updated_at, extended_transaction_history";

    internal const string AuthorisationColumns =
        "authorisation_id, consent_id, sca_approach, sca_status, personal_number, created_at, started_at, last_polled_at, tokens_issued, payment_id";

    public async Task CreateAsync(Consent consent, Authorisation authorisation, CancellationToken cancellationToken)
    {
        await using var batch = dataSource.CreateBatch();
        batch.BatchCommands.Add(DbExtensions.BatchCommand(
            $"INSERT INTO consents ({ConsentColumns.Replace("::text", "", StringComparison.Ordinal)}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20)",
            consent.ConsentId, consent.TppId, consent.Status, new Json(JsonSerializer.Serialize(consent.Access, BankJson.Default.AccountAccess)),
            consent.Recurring, consent.ValidUntil, consent.FrequencyPerDay, consent.CombinedService, consent.ScaApproach, consent.PsuId,
            consent.RedirectUri, consent.NokRedirectUri, consent.CreatedAt, consent.LastActionDate,
            consent.UkTerms?.Permissions.ToArray(), consent.UkTerms?.ExpirationDateTime, consent.UkTerms?.TransactionFromDateTime,
            consent.UkTerms?.TransactionToDateTime, consent.StatusUpdatedAt, consent.StetTerms?.ExtendedTransactionHistory));
        batch.BatchCommands.Add(InsertAuthorisation(authorisation));
        await batch.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>A consent of this TPP; another TPP's consent is as unknown as a missing one.</summary>
    public async Task<Consent?> FindAsync(string consentId, string tppId, CancellationToken cancellationToken)
    {
        var consent = await FindAsync(consentId, cancellationToken);
        return consent?.TppId == tppId ? consent : null;
    }

    public async Task<Consent?> FindAsync(string consentId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.Command($"SELECT {ConsentColumns} FROM consents WHERE consent_id = $1", consentId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? ReadConsent(reader) : null;
    }

    public async Task<IReadOnlyList<Consent>> ListForPsuAsync(string personalNumber, CancellationToken cancellationToken)
    {
        await using var command = dataSource.Command(
            $"SELECT {ConsentColumns} FROM consents WHERE psu_id = $1 ORDER BY created_at DESC", personalNumber);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var consents = new List<Consent>();
        while (await reader.ReadAsync(cancellationToken))
        {
            consents.Add(ReadConsent(reader));
        }

        return consents;
    }

    /// <summary>Ends a consent that is still live (received or valid) and revokes its tokens; false when it was not live.</summary>
    public async Task<bool> EndAsync(string consentId, string status, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using var update = connection.Command(
            "UPDATE consents SET status = $2 WHERE consent_id = $1 AND status IN ('received', 'valid')", consentId, status);
        var ended = await update.ExecuteNonQueryAsync(cancellationToken) == 1;
        await using var revoke = connection.Command(
            "UPDATE tokens SET revoked_at = now() WHERE consent_id = $1 AND revoked_at IS NULL", consentId);
        await revoke.ExecuteNonQueryAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return ended;
    }

    public async Task TouchAsync(string consentId, DateOnly today, CancellationToken cancellationToken)
    {
        await using var command = dataSource.Command(
            "UPDATE consents SET last_action_date = $2 WHERE consent_id = $1 AND last_action_date < $2", consentId, today);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task AddAuthorisationAsync(Authorisation authorisation, CancellationToken cancellationToken)
    {
        await using var batch = dataSource.CreateBatch();
        batch.BatchCommands.Add(InsertAuthorisation(authorisation));
        await batch.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<Authorisation?> FindAuthorisationAsync(string authorisationId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.Command(
            $"SELECT {AuthorisationColumns} FROM authorisations WHERE authorisation_id = $1", authorisationId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? ReadAuthorisation(reader) : null;
    }

    public async Task<IReadOnlyList<Authorisation>> ListAuthorisationsAsync(string consentId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.Command(
            $"SELECT {AuthorisationColumns} FROM authorisations WHERE consent_id = $1 ORDER BY created_at", consentId);
        return await ReadAuthorisationsAsync(command, cancellationToken);
    }

    public async Task<IReadOnlyList<Authorisation>> ListPaymentAuthorisationsAsync(string paymentId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.Command(
            $"SELECT {AuthorisationColumns} FROM authorisations WHERE payment_id = $1 ORDER BY created_at", paymentId);
        return await ReadAuthorisationsAsync(command, cancellationToken);
    }

    /// <summary>Decoupled BankID orders waiting for the PSU's answer, for the simulated BankID app.</summary>
    public async Task<IReadOnlyList<Authorisation>> ListOpenDecoupledAsync(string personalNumber, CancellationToken cancellationToken)
    {
        await using var command = dataSource.Command(
            $"SELECT {AuthorisationColumns} FROM authorisations WHERE personal_number = $1 AND sca_approach = 'DECOUPLED' AND sca_status = 'started' ORDER BY created_at",
            personalNumber);
        return await ReadAuthorisationsAsync(command, cancellationToken);
    }

    public async Task SetScaStatusAsync(string authorisationId, string scaStatus, string? personalNumber, CancellationToken cancellationToken)
    {
        await using var command = dataSource.Command(
            "UPDATE authorisations SET sca_status = $2, personal_number = COALESCE($3, personal_number) WHERE authorisation_id = $1 AND sca_status NOT IN ('finalised', 'failed')",
            authorisationId, scaStatus, personalNumber);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Records a poll of a decoupled authorisation unless the previous one was less than <paramref name="interval"/> ago.</summary>
    public async Task<bool> TryRecordPollAsync(string authorisationId, DateTimeOffset now, TimeSpan interval, CancellationToken cancellationToken)
    {
        await using var command = dataSource.Command(
            "UPDATE authorisations SET last_polled_at = $2 WHERE authorisation_id = $1 AND (last_polled_at IS NULL OR last_polled_at <= $3)",
            authorisationId, now, now - interval);
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    /// <summary>Marks a decoupled approval's tokens as handed out; false when they already were.</summary>
    public async Task<bool> TryMarkTokensIssuedAsync(string authorisationId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.Command(
            "UPDATE authorisations SET tokens_issued = true WHERE authorisation_id = $1 AND NOT tokens_issued AND sca_status = 'finalised'",
            authorisationId);
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    /// <summary>
    /// The PSU approved: the authorisation is finalised, the consent becomes valid for this PSU and covers the given
    /// accounts, all at once. False when the authorisation was already decided (a double submit, a race with a timeout).
    /// </summary>
    public async Task<bool> ApproveAsync(Authorisation authorisation, string personalNumber, IReadOnlyList<ConsentedAccount> accounts, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var finalise = connection.Command(
            "UPDATE authorisations SET sca_status = 'finalised', personal_number = $2 WHERE authorisation_id = $1 AND sca_status NOT IN ('finalised', 'failed')",
            authorisation.AuthorisationId, personalNumber))
        {
            if (await finalise.ExecuteNonQueryAsync(cancellationToken) != 1)
            {
                return false;
            }
        }

        await using (var validate = connection.Command(
            "UPDATE consents SET status = 'valid', psu_id = $2 WHERE consent_id = $1 AND status = 'received'",
            authorisation.ConsentId, personalNumber))
        {
            if (await validate.ExecuteNonQueryAsync(cancellationToken) != 1)
            {
                return false;
            }
        }

        foreach (var account in accounts)
        {
            await using var grant = connection.Command(
                "INSERT INTO consent_accounts (consent_id, resource_id, balances, transactions) VALUES ($1, $2, $3, $4)",
                authorisation.ConsentId, account.ResourceId, account.Balances, account.Transactions);
            await grant.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    /// <summary>The PSU refused, cancelled or never answered: the authorisation fails and the consent is rejected.</summary>
    /// <summary>
    /// The authorisation failed. The consent becomes <c>rejected</c> when the PSU refused, or <c>expired</c> when the
    /// PSU never answered before the order timed out, so a TPP can tell the two apart.
    /// </summary>
    public async Task RejectAsync(Authorisation authorisation, CancellationToken cancellationToken, bool timedOut = false)
    {
        await using var batch = dataSource.CreateBatch();
        batch.BatchCommands.Add(DbExtensions.BatchCommand(
            "UPDATE authorisations SET sca_status = 'failed' WHERE authorisation_id = $1 AND sca_status NOT IN ('finalised', 'failed')",
            authorisation.AuthorisationId));
        batch.BatchCommands.Add(DbExtensions.BatchCommand(
            "UPDATE consents SET status = $2 WHERE consent_id = $1 AND status = 'received'", authorisation.ConsentId, timedOut ? "expired" : "rejected"));
        await batch.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>
    /// STET's PUT /consents: which of the consent's accounts may have their balances and transactions read, replacing
    /// what an earlier call said. Only accounts the consent already covers are touched.
    /// </summary>
    public async Task ReplaceAccessAsync(string consentId, IReadOnlyCollection<string> balances, IReadOnlyCollection<string> transactions, CancellationToken cancellationToken)
    {
        await using var command = dataSource.Command(
            "UPDATE consent_accounts SET balances = resource_id = ANY($2), transactions = resource_id = ANY($3) WHERE consent_id = $1",
            consentId, balances.ToArray(), transactions.ToArray());
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<ConsentedAccount>> AccountsAsync(string consentId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.Command(
            "SELECT resource_id, balances, transactions FROM consent_accounts WHERE consent_id = $1", consentId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await ReadConsentedAccountsAsync(reader, cancellationToken);
    }

    /// <summary>
    /// What every account read checks, in one round trip: the consent, the presented access token and the accounts
    /// the consent covers (three separate queries cost a third of a transaction page's server time).
    /// </summary>
    public async Task<ConsentForRead> FindForReadAsync(string consentId, string accessToken, CancellationToken cancellationToken)
    {
        await using var batch = dataSource.CreateBatch();
        batch.BatchCommands.Add(DbExtensions.BatchCommand($"SELECT {ConsentColumns} FROM consents WHERE consent_id = $1", consentId));
        batch.BatchCommands.Add(DbExtensions.BatchCommand(
            "SELECT consent_id, tpp_id, expires_at, revoked_at IS NOT NULL, certificate_thumbprint FROM tokens WHERE token_hash = $1 AND kind = 'access'",
            Secrets.Hash(accessToken)));
        batch.BatchCommands.Add(DbExtensions.BatchCommand(
            "SELECT resource_id, balances, transactions FROM consent_accounts WHERE consent_id = $1", consentId));
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        var consent = await reader.ReadAsync(cancellationToken) ? ReadConsent(reader) : null;
        await reader.NextResultAsync(cancellationToken);
        var token = await reader.ReadAsync(cancellationToken)
            ? new AccessTokenInfo(reader.GetString(0), reader.GetString(1), reader.GetFieldValue<DateTimeOffset>(2), reader.GetBoolean(3),
                reader.IsDBNull(4) ? null : reader.GetFieldValue<byte[]>(4))
            : null;
        await reader.NextResultAsync(cancellationToken);
        return new ConsentForRead(consent, token, await ReadConsentedAccountsAsync(reader, cancellationToken));
    }

    private static async Task<IReadOnlyList<ConsentedAccount>> ReadConsentedAccountsAsync(NpgsqlDataReader reader, CancellationToken cancellationToken)
    {
        var accounts = new List<ConsentedAccount>();
        while (await reader.ReadAsync(cancellationToken))
        {
            accounts.Add(new ConsentedAccount(reader.GetString(0), reader.GetBoolean(1), reader.GetBoolean(2)));
        }

        return accounts;
    }

    internal static NpgsqlBatchCommand InsertAuthorisation(Authorisation a) => DbExtensions.BatchCommand(
        $"INSERT INTO authorisations ({AuthorisationColumns}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        a.AuthorisationId, a.ConsentId, a.ScaApproach, a.ScaStatus, a.PersonalNumber, a.CreatedAt, a.StartedAt, a.LastPolledAt, a.TokensIssued, a.PaymentId);

    private static async Task<IReadOnlyList<Authorisation>> ReadAuthorisationsAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var authorisations = new List<Authorisation>();
        while (await reader.ReadAsync(cancellationToken))
        {
            authorisations.Add(ReadAuthorisation(reader));
        }

        return authorisations;
    }

    private static Consent ReadConsent(NpgsqlDataReader r) => new(
        r.GetString(0), r.GetString(1), r.GetString(2),
        JsonSerializer.Deserialize(r.GetString(3), BankJson.Default.AccountAccess)!,
        r.GetBoolean(4), r.GetFieldValue<DateOnly>(5), r.GetInt32(6), r.GetBoolean(7), r.GetString(8),
        r.GetStringOrNull(9), r.GetStringOrNull(10), r.GetStringOrNull(11),
        r.GetFieldValue<DateTimeOffset>(12), r.GetFieldValue<DateOnly>(13),
        r.IsDBNull(14) ? null : new UkConsentTerms(r.GetFieldValue<string[]>(14), r.GetFieldValue<DateTimeOffset>(15), r.GetInstantOrNull(16), r.GetInstantOrNull(17)),
        r.GetInstantOrNull(18),
        r.IsDBNull(19) ? null : new StetConsentTerms(r.GetBoolean(19)));

    internal static Authorisation ReadAuthorisation(NpgsqlDataReader r) => new(
        r.GetString(0), r.GetStringOrNull(1), r.GetString(2), r.GetString(3), r.GetStringOrNull(4),
        r.GetFieldValue<DateTimeOffset>(5), r.GetInstantOrNull(6), r.GetInstantOrNull(7), r.GetBoolean(8), r.GetStringOrNull(9));
}

public sealed record ConsentForRead(Consent? Consent, AccessTokenInfo? Token, IReadOnlyList<ConsentedAccount> Accounts);
