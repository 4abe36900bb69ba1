namespace Psd2.Core.Connectors;

/// <summary>
/// The account-information reads of one bank standard (Berlin Group now; STET and UK Open Banking later), in the
/// platform's own terms. A connector keeps its standard's details to itself: headers, paging, error dialects.
/// Every failure is a <see cref="ConnectorException"/> with a domain <see cref="ConnectorFailure"/>.
/// </summary>
public interface IBankConnector
{
    Task<IReadOnlyList<ConnectorAccount>> GetAccountsAsync(ConnectorSession session, CancellationToken cancellationToken);

    Task<IReadOnlyList<ConnectorBalance>> GetBalancesAsync(ConnectorSession session, string accountResourceId, CancellationToken cancellationToken);

    /// <summary>Booked and pending transactions from a date on, page by page as the bank serves them (pages followed here).</summary>
    IAsyncEnumerable<IReadOnlyList<ConnectorTransaction>> GetTransactionsAsync(
        ConnectorSession session, string accountResourceId, DateOnly dateFrom, CancellationToken cancellationToken);
}

/// <summary>Who reads: the consent, its access token, and the end user's IP address when the user is present.</summary>
/// <param name="PlatformRequestId">The platform's request (or sync run) id, recorded beside each bank call's own X-Request-ID.</param>
public sealed record ConnectorSession(string ConsentId, string AccessToken, string? PsuIpAddress, string PlatformRequestId);

public sealed record ConnectorAccount(string ResourceId, string? Iban, string Currency, string? Name, string? Product, string? OwnerName);

public sealed record ConnectorBalance(string Type, decimal Amount, string Currency, DateOnly? ReferenceDate);

/// <param name="Amount">Signed: negative leaves the account.</param>
/// <param name="Raw">The bank's own JSON for this transaction, kept for audit.</param>
public sealed record ConnectorTransaction(
    string TransactionId, string? EntryReference, bool Booked, decimal Amount, string Currency, DateOnly? BookingDate, DateOnly? ValueDate,
    string? CounterpartyName, string? CounterpartyIban, string? Remittance, string? BankTransactionCode, string Raw);
