using Npgsql;
using Psd2.SandboxBank.Consents;
using Psd2.SandboxBank.Infrastructure;

namespace Psd2.SandboxBank.Payments;

/// <summary>Payments and the first answer to each initiation, in sandboxdb; their authorisations share the consents' table.</summary>
public sealed class PaymentStore(NpgsqlDataSource dataSource)
{
    private const string Columns =
        "payment_id, tpp_id, product, request_id, status, status_reason, debtor_resource_id, debtor_iban, creditor_iban, creditor_name, "
        + "amount, currency, debit_amount, remittance, end_to_end_id, requested_execution_date, execution_date, sca_approach, psu_id, "
        + "redirect_uri, nok_redirect_uri, created_at";

    /// <summary>The account an IBAN names at this bank, and its holder; null when it is not one of the bank's.</summary>
    public async Task<(string ResourceId, string PersonalNumber)?> FindAccountAsync(string iban, CancellationToken cancellationToken)
    {
        await using var command = dataSource.Command("SELECT resource_id, personal_number FROM accounts WHERE iban = $1", iban);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? (reader.GetString(0), reader.GetString(1)) : null;
    }

    /// <summary>
    /// Stores a new payment with its authorisation (if it needs one) and the answer the TPP is given, in one
    /// transaction; or, when the TPP already sent this X-Request-ID, stores nothing and returns what the first request
    /// stored. A concurrent twin waits on the unique constraint until the first commits, then finds it.
    /// </summary>
    public async Task<StoredInitiation> CreateAsync(
        Payment payment, Authorisation? authorisation, byte[] requestHash, StoredAnswer answer, CancellationToken cancellationToken)
    {
        await using (var connection = await dataSource.OpenConnectionAsync(cancellationToken))
        await using (var transaction = await connection.BeginTransactionAsync(cancellationToken))
        {
            await using var insert = connection.Command(
                $"""
                INSERT INTO payments ({Columns}, request_hash, response_status, response_body)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25)
                ON CONFLICT (tpp_id, request_id) DO NOTHING
                """,
                payment.PaymentId, payment.TppId, payment.Product, payment.RequestId, payment.Status, payment.StatusReason,
                payment.DebtorResourceId, payment.DebtorIban, payment.CreditorIban, payment.CreditorName, payment.Amount, payment.Currency,
                payment.DebitAmount, payment.Remittance, payment.EndToEndId, payment.RequestedExecutionDate, payment.ExecutionDate,
                payment.ScaApproach, payment.PsuId, payment.RedirectUri, payment.NokRedirectUri, payment.CreatedAt,
                requestHash, answer.Status, answer.Body);
            if (await insert.ExecuteNonQueryAsync(cancellationToken) == 1)
            {
                if (authorisation is not null)
                {
                    await using var batch = new NpgsqlBatch(connection, transaction);
                    batch.BatchCommands.Add(ConsentStore.InsertAuthorisation(authorisation));
                    await batch.ExecuteNonQueryAsync(cancellationToken);
                }

                await transaction.CommitAsync(cancellationToken);
                return new StoredInitiation(Created: true, requestHash, answer);
            }
        }

        return await FindAnswerAsync(payment.TppId, payment.RequestId, cancellationToken)
            ?? throw new InvalidOperationException("A payment with this X-Request-ID conflicted and then vanished.");
    }

    /// <summary>The payment the TPP made with this X-Request-ID, as the hash of that request and the answer it was given.</summary>
    public async Task<StoredInitiation?> FindAnswerAsync(string tppId, Guid requestId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.Command(
            "SELECT request_hash, response_status, response_body, product, payment_id, sca_approach FROM payments WHERE tpp_id = $1 AND request_id = $2",
            tppId, requestId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? new StoredInitiation(Created: false, reader.GetFieldValue<byte[]>(0),
                new StoredAnswer(reader.GetInt32(1), reader.GetString(2), $"/v1/payments/{reader.GetString(3)}/{reader.GetString(4)}", reader.GetStringOrNull(5)))
            : null;
    }

    /// <summary>A payment of this TPP; another TPP's payment is as unknown as a missing one.</summary>
    public async Task<Payment?> FindAsync(string paymentId, string tppId, CancellationToken cancellationToken)
    {
        var payment = await FindAsync(paymentId, cancellationToken);
        return payment?.TppId == tppId ? payment : null;
    }

    public async Task<Payment?> FindAsync(string paymentId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.Command($"SELECT {Columns} FROM payments WHERE payment_id = $1", paymentId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? Read(reader) : null;
    }

    /// <summary>Newest first, optionally of one TPP or from one IBAN.</summary>
    public async Task<IReadOnlyList<Payment>> ListAsync(string? tppId, string? debtorIban, int limit, CancellationToken cancellationToken)
    {
        await using var command = dataSource.Command(
            $"""
            SELECT {Columns} FROM payments
            WHERE ($1::text IS NULL OR tpp_id = $1) AND ($2::text IS NULL OR debtor_iban = $2)
            ORDER BY created_at DESC, payment_id LIMIT $3
            """,
            tppId, debtorIban, limit);
        return await ReadAllAsync(command, cancellationToken);
    }

    /// <summary>Every accepted or executed payment: the debits the accounts' statements carry.</summary>
    public async Task<IReadOnlyList<Payment>> ListAcceptedAsync(CancellationToken cancellationToken)
    {
        await using var command = dataSource.Command($"SELECT {Columns} FROM payments WHERE status IN ('ACCP', 'ACSC')");
        return await ReadAllAsync(command, cancellationToken);
    }

    /// <summary>
    /// The PSU's answer, at once for the authorisation and the payment: the authorisation is finalised (or failed)
    /// and the payment, still received, takes its new status. False when either was already decided.
    /// </summary>
    public async Task<bool> DecideAsync(
        string authorisationId, string paymentId, bool authorised, string? personalNumber, string status, string? reason, DateOnly? executionDate,
        CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var sca = connection.Command(
            "UPDATE authorisations SET sca_status = $2, personal_number = COALESCE($3, personal_number) WHERE authorisation_id = $1 AND sca_status NOT IN ('finalised', 'failed')",
            authorisationId, authorised ? ScaStatus.Finalised : ScaStatus.Failed, personalNumber))
        {
            if (await sca.ExecuteNonQueryAsync(cancellationToken) != 1)
            {
                return false;
            }
        }

        if (!await SetStatusAsync(connection, paymentId, status, reason, executionDate, cancellationToken))
        {
            return false;
        }

        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    /// <summary>The TPP cancels a payment not yet authorised: it is CANC and its open BankID orders end. False when it was not RCVD.</summary>
    public async Task<bool> CancelAsync(string paymentId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (!await SetStatusAsync(connection, paymentId, TransactionStatus.Cancelled, null, null, cancellationToken))
        {
            return false;
        }

        await using var end = connection.Command(
            "UPDATE authorisations SET sca_status = 'failed' WHERE payment_id = $1 AND sca_status NOT IN ('finalised', 'failed')", paymentId);
        await end.ExecuteNonQueryAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    private static async Task<bool> SetStatusAsync(
        NpgsqlConnection connection, string paymentId, string status, string? reason, DateOnly? executionDate, CancellationToken cancellationToken)
    {
        await using var update = connection.Command(
            "UPDATE payments SET status = $2, status_reason = $3, execution_date = $4 WHERE payment_id = $1 AND status = 'RCVD'",
            paymentId, status, reason, executionDate);
        return await update.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    private static async Task<IReadOnlyList<Payment>> ReadAllAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var payments = new List<Payment>();
        while (await reader.ReadAsync(cancellationToken))
        {
            payments.Add(Read(reader));
        }

        return payments;
    }

    private static Payment Read(NpgsqlDataReader r) => new(
        r.GetString(0), r.GetString(1), r.GetString(2), r.GetGuid(3), r.GetString(4), r.GetStringOrNull(5), r.GetString(6), r.GetString(7),
        r.GetString(8), r.GetString(9), r.GetDecimal(10), r.GetString(11), r.GetDecimal(12), r.GetStringOrNull(13), r.GetStringOrNull(14),
        r.IsDBNull(15) ? null : r.GetFieldValue<DateOnly>(15), r.IsDBNull(16) ? null : r.GetFieldValue<DateOnly>(16),
        r.GetStringOrNull(17), r.GetStringOrNull(18), r.GetStringOrNull(19), r.GetStringOrNull(20), r.GetFieldValue<DateTimeOffset>(21));
}

/// <summary>The answer an initiation was given (status code, exact body, headers), given again to a repeated X-Request-ID.</summary>
public sealed record StoredAnswer(int Status, string Body, string Location, string? ScaApproach);

/// <param name="Created">This request made the payment; false when its X-Request-ID had been used.</param>
/// <param name="RequestHash">SHA-256 of the request that made the payment: its product and exact body bytes.</param>
public sealed record StoredInitiation(bool Created, byte[] RequestHash, StoredAnswer Answer);
