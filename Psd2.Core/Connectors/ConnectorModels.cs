namespace Psd2.Core.Connectors;

/// <summary>What the platform asks a bank for: all the PSU's accounts for the given access, recurring, until a date, at most so many unattended reads a day.</summary>
/// <param name="RedirectUri">Where the bank sends the PSU's browser back (redirect flow).</param>
/// <param name="DecoupledPsuId">The PSU's identifier at the bank, which starts a decoupled authorisation on their device.</param>
public sealed record ConsentRequest(IReadOnlyList<string> Access, DateOnly ValidUntil, int FrequencyPerDay, string? RedirectUri, string? DecoupledPsuId);

/// <summary>A consent just created at the bank.</summary>
/// <param name="Redirect">Where the redirect authorisation starts, in the connector's terms (null when the bank offered none).</param>
/// <param name="DecoupledStatus">What the decoupled authorisation is polled by, in the connector's terms (null when none was started).</param>
public sealed record CreatedConsent(string ConsentId, string? Redirect, string? DecoupledStatus);

/// <summary>The platform's side of a redirect authorisation: its OAuth client, callback, state and PKCE challenge (S256).</summary>
public sealed record RedirectRequest(string ClientId, string RedirectUri, string State, string CodeChallenge);

/// <summary>Where the PSU's browser goes, and where the code that comes back is redeemed (kept with the state until then).</summary>
public sealed record AuthorisationRedirect(string Url, string TokenEndpoint);

/// <summary>The states of a consent that matter to a connection.</summary>
public enum ConsentState
{
    /// <summary>Created, not yet authorised.</summary>
    Pending,
    Valid,
    Expired,
    RevokedByPsu,
    TerminatedByTpp,
    Rejected,
    /// <summary>A state the bank's standard defines but the platform cannot continue with.</summary>
    Other,
}

public enum DecoupledState
{
    /// <summary>Still waiting for the PSU.</summary>
    Pending,
    /// <summary>Authorised: tokens can be requested.</summary>
    Finalised,
    /// <summary>Refused or given up (the consent's state tells which).</summary>
    Failed,
    /// <summary>An answer the standard does not define.</summary>
    Unexpected,
}

/// <param name="BankStatus">The bank's own word for the state, for logs.</param>
/// <param name="RetryAfter">How long the bank asked the platform to wait before the next poll.</param>
public sealed record DecoupledPoll(DecoupledState State, string? BankStatus, TimeSpan? RetryAfter);

/// <summary>
/// A consent as the platform holds it: the bank's id for it and, once authorised, its tokens, through which some
/// standards alone reach the consent (STET has no consent resource to read or delete).
/// </summary>
public sealed record ConsentHandle(string ConsentId, string? AccessToken, string? RefreshToken)
{
    /// <summary>The id only: the tokens are never written anywhere.</summary>
    public override string ToString() => $"ConsentHandle {{ ConsentId = {ConsentId} }}";
}

/// <summary>Tokens the bank issued for a consent (never logged; stored encrypted).</summary>
public sealed record BankTokens(string AccessToken, string RefreshToken, int ExpiresIn);

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
