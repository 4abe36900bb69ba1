using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using Psd2.Core.Connections;

namespace Psd2.Core.Connectors.BerlinGroup;

/// <summary>
/// Consents (POST, status, DELETE under /v1/consents), their authorisation (OAuth redirect from the consent's
/// <c>scaOAuth</c> link, or the decoupled order behind its <c>scaStatus</c> link), and the tokens for them, whose
/// scope is <c>AIS:&lt;consentId&gt;</c>.
/// </summary>
public sealed partial class BerlinGroupConnector
{
    public async Task<CreatedConsent> CreateConsentAsync(ConsentRequest consent, CancellationToken cancellationToken)
    {
        using var request = Request(HttpMethod.Post, "/v1/consents");
        request.Content = JsonContent.Create(new
        {
            access = AccessOf(consent.Access),
            recurringIndicator = true,
            validUntil = consent.ValidUntil.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            frequencyPerDay = consent.FrequencyPerDay,
            combinedServiceIndicator = false,
        });
        if (consent.DecoupledPsuId is { } psuId)
        {
            request.Headers.Add("PSU-ID", psuId);
            request.Headers.Add("TPP-Decoupled-Preferred", "true");
        }
        else
        {
            request.Headers.Add("TPP-Redirect-URI", consent.RedirectUri);
            request.Headers.Add("TPP-Redirect-Preferred", "true");
        }

        using var body = await CallAsync(request, null, cancellationToken);
        return BankHttp.Shape(body, root => new CreatedConsent(BankHttp.Required(root, "consentId"), Link(root, "scaOAuth"), Link(root, "scaStatus")));
    }

    public async Task<ConsentState> GetConsentStateAsync(ConsentHandle consent, CancellationToken cancellationToken)
    {
        using var request = Request(HttpMethod.Get, $"/v1/consents/{Uri.EscapeDataString(consent.ConsentId)}/status");
        using var body = await CallAsync(request, null, cancellationToken);
        return BankHttp.Shape(body, root => BankHttp.Required(root, "consentStatus")) switch
        {
            "received" or "partiallyAuthorised" => ConsentState.Pending,
            "valid" => ConsentState.Valid,
            "expired" => ConsentState.Expired,
            "revokedByPsu" => ConsentState.RevokedByPsu,
            "terminatedByTpp" => ConsentState.TerminatedByTpp,
            "rejected" => ConsentState.Rejected,
            _ => ConsentState.Other,
        };
    }

    public async Task TerminateConsentAsync(ConsentHandle consent, CancellationToken cancellationToken)
    {
        using var request = Request(HttpMethod.Delete, $"/v1/consents/{Uri.EscapeDataString(consent.ConsentId)}");
        using var response = await SendAsync(request, null, cancellationToken);
        await EnsureSuccessAsync(response, cancellationToken);
    }

    /// <remarks>The consent's scaOAuth link is the bank's RFC 8414 metadata, fetched without the platform's certificate.</remarks>
    public async Task<AuthorisationRedirect> AuthorisationRedirectAsync(CreatedConsent consent, RedirectRequest request, CancellationToken cancellationToken)
    {
        var server = await oauth.DiscoverAsync(
            consent.Redirect ?? throw new ConnectorException(ConnectorFailure.Refused, "sca_unsupported", "The bank offered no OAuth redirect."), cancellationToken);
        return new AuthorisationRedirect(OAuthClient.AuthorizationUrl(server, request, Scope(consent.ConsentId)), server.TokenEndpoint);
    }

    /// <remarks>A 429 tells when to come back rather than failing.</remarks>
    public async Task<DecoupledPoll> PollDecoupledAsync(string decoupledStatus, CancellationToken cancellationToken)
    {
        using var request = Request(HttpMethod.Get, decoupledStatus);
        using var response = await SendAsync(request, null, cancellationToken);
        if (response.StatusCode == HttpStatusCode.TooManyRequests)
        {
            return new DecoupledPoll(DecoupledState.Pending, null, response.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(1));
        }

        await EnsureSuccessAsync(response, cancellationToken);
        using var body = await BankHttp.JsonAsync(response, cancellationToken);
        var status = BankHttp.Shape(body, root => BankHttp.String(root, "scaStatus"));
        var state = status switch
        {
            "finalised" => DecoupledState.Finalised,
            "failed" => DecoupledState.Failed,
            null or "received" or "psuIdentified" or "psuAuthenticated" or "scaMethodSelected" or "started" or "unconfirmed" => DecoupledState.Pending,
            _ => DecoupledState.Unexpected,
        };
        return new DecoupledPoll(state, status, null);
    }

    public Task<BankTokens> ExchangeCodeAsync(
        string consentId, string tokenEndpoint, string code, string codeVerifier, string redirectUri, CancellationToken cancellationToken) =>
        TokensAsync(consentId, tokenEndpoint, new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code",
            ["code"] = code,
            ["redirect_uri"] = redirectUri,
            ["code_verifier"] = codeVerifier,
        }, cancellationToken);

    /// <summary>The CIBA grant, with the decoupled order's authorisation id (its scaStatus link's last segment) as auth_req_id.</summary>
    public Task<BankTokens> RequestDecoupledTokensAsync(string consentId, string decoupledStatus, CancellationToken cancellationToken) =>
        TokensAsync(consentId, tokenPath, new Dictionary<string, string>
        {
            ["grant_type"] = "urn:openid:params:grant-type:ciba",
            ["auth_req_id"] = decoupledStatus[(decoupledStatus.LastIndexOf('/') + 1)..],
        }, cancellationToken);

    public Task<BankTokens> RefreshTokensAsync(string consentId, string refreshToken, CancellationToken cancellationToken) =>
        TokensAsync(consentId, tokenPath, new Dictionary<string, string>
        {
            ["grant_type"] = "refresh_token",
            ["refresh_token"] = refreshToken,
        }, cancellationToken);

    /// <summary>
    /// Tokens the bank says are for another consent are refused, whatever the bank's own checks: a code swapped between
    /// two callbacks must never activate a connection with someone else's consent.
    /// </summary>
    private async Task<BankTokens> TokensAsync(string consentId, string tokenEndpoint, Dictionary<string, string> form, CancellationToken cancellationToken)
    {
        var issued = await oauth.RequestTokensAsync(tokenEndpoint, form, cancellationToken);
        if (issued.Scope is not null && issued.Scope != Scope(consentId))
        {
            throw new ConnectorException(ConnectorFailure.Refused, "scope_mismatch", "The bank issued tokens for another consent.");
        }

        return issued.ForConsent();
    }

    private static string Scope(string consentId) => "AIS:" + consentId;

    /// <summary>Consents on all the PSU's accounts, without naming IBANs the platform does not know yet.</summary>
    private static Dictionary<string, string> AccessOf(IReadOnlyList<string> access) => new()
    {
        [access.Contains(ConnectionAccess.Transactions) ? "allPsd2" : access.Contains(ConnectionAccess.Balances) ? "availableAccountsWithBalance" : "availableAccounts"] = "allAccounts",
    };
}
