namespace Psd2.Core.Connectors;

/// <summary>
/// Everything the platform asks of a bank, in the platform's own terms, whatever standard the bank speaks: the
/// consent, its authorisation (redirect or decoupled), the OAuth tokens that use it, and the reads. One implementation
/// per standard keeps the standard's details to itself: headers, signatures, paging, status vocabularies, error
/// dialects. Every failure is a <see cref="ConnectorException"/>, transport failures included.
/// </summary>
public interface IBankConnector : IAccountReader
{
    /// <summary>Creates a consent on all the PSU's accounts, for redirect or, with a PSU id, decoupled authorisation.</summary>
    Task<CreatedConsent> CreateConsentAsync(ConsentRequest request, CancellationToken cancellationToken);

    /// <summary>The consent's state at the bank; a call that does not use the consent's daily budget.</summary>
    Task<ConsentState> GetConsentStateAsync(ConsentHandle consent, CancellationToken cancellationToken);

    /// <summary>Ends the consent at the bank, which revokes its tokens with it.</summary>
    Task TerminateConsentAsync(ConsentHandle consent, CancellationToken cancellationToken);

    /// <summary>Where the PSU's browser authorises the consent, and the token endpoint its code is redeemed at.</summary>
    Task<AuthorisationRedirect> AuthorisationRedirectAsync(CreatedConsent consent, RedirectRequest request, CancellationToken cancellationToken);

    /// <summary>One poll of a decoupled authorisation started by <see cref="CreateConsentAsync"/>.</summary>
    Task<DecoupledPoll> PollDecoupledAsync(string decoupledStatus, CancellationToken cancellationToken);

    /// <summary>Redeems a redirect's authorisation code (with its PKCE verifier) for tokens bound to the consent.</summary>
    Task<BankTokens> ExchangeCodeAsync(string consentId, string tokenEndpoint, string code, string codeVerifier, string redirectUri, CancellationToken cancellationToken);

    /// <summary>Tokens for a finalised decoupled authorisation.</summary>
    Task<BankTokens> RequestDecoupledTokensAsync(string consentId, string decoupledStatus, CancellationToken cancellationToken);

    /// <summary>New tokens for a refresh token; refresh tokens rotate, so the answer replaces both.</summary>
    Task<BankTokens> RefreshTokensAsync(string consentId, string refreshToken, CancellationToken cancellationToken);
}

/// <summary>The account-information reads of a consent, which is all a sync needs of a bank.</summary>
public interface IAccountReader
{
    Task<IReadOnlyList<ConnectorAccount>> GetAccountsAsync(ConnectorSession session, CancellationToken cancellationToken);

    Task<IReadOnlyList<ConnectorBalance>> GetBalancesAsync(ConnectorSession session, string accountResourceId, CancellationToken cancellationToken);

    /// <summary>Booked and pending transactions from a date on, page by page as the bank serves them (pages followed here).</summary>
    IAsyncEnumerable<IReadOnlyList<ConnectorTransaction>> GetTransactionsAsync(
        ConnectorSession session, string accountResourceId, DateOnly dateFrom, CancellationToken cancellationToken);
}
