using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Psd2.Core.Connections;

namespace Psd2.Core.Connectors.Stet;

/// <summary>
/// STET's consent comes after the token: the redirect asks the bank's authorisation server for the <c>aisp</c> scope
/// (with <c>extended_transaction_history</c>, as the platform syncs more than 90 days), the code is redeemed, and the
/// consent is then put on every account the token opens (<c>PUT /consents</c>). Until then the platform's own reference
/// stands for the consent. STET defines no consent status or delete: the account list answers for the state (the bank
/// does not count it against the day's reads), and terminating revokes the refresh token (RFC 7009).
/// </summary>
public sealed partial class StetConnector
{
    private const string Scope = "aisp extended_transaction_history";
    private const string MetadataPath = "/.well-known/oauth-authorization-server";

    /// <summary>
    /// No call: the reference made here carries what the consent is to open (<c>b</c> balances, <c>t</c> transactions),
    /// since it is put on the accounts only once the token exists.
    /// </summary>
    public Task<CreatedConsent> CreateConsentAsync(ConsentRequest consent, CancellationToken cancellationToken)
    {
        if (consent.DecoupledPsuId is not null)
        {
            throw Unsupported();
        }

        var opens = (consent.Access.Contains(ConnectionAccess.Balances) ? "b" : "") + (consent.Access.Contains(ConnectionAccess.Transactions) ? "t" : "");
        return Task.FromResult(new CreatedConsent($"aisp-{opens}-{Guid.NewGuid():N}", MetadataPath, null));
    }

    public async Task<AuthorisationRedirect> AuthorisationRedirectAsync(CreatedConsent consent, RedirectRequest request, CancellationToken cancellationToken)
    {
        var server = await oauth.DiscoverAsync(consent.Redirect ?? throw Unsupported(), cancellationToken);
        return new AuthorisationRedirect(OAuthClient.AuthorizationUrl(server, request, Scope), server.TokenEndpoint);
    }

    public async Task<BankTokens> ExchangeCodeAsync(
        string consentId, string tokenEndpoint, string code, string codeVerifier, string redirectUri, CancellationToken cancellationToken)
    {
        var tokens = (await oauth.RequestTokensAsync(tokenEndpoint, new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code",
            ["code"] = code,
            ["redirect_uri"] = redirectUri,
            ["code_verifier"] = codeVerifier,
            ["client_id"] = clientId,
        }, cancellationToken)).ForConsent();
        await PutConsentAsync(consentId, tokens.AccessToken, cancellationToken);
        return tokens;
    }

    public async Task<BankTokens> RefreshTokensAsync(string consentId, string refreshToken, CancellationToken cancellationToken) =>
        (await oauth.RequestTokensAsync(tokenPath, new Dictionary<string, string>
        {
            ["grant_type"] = "refresh_token",
            ["refresh_token"] = refreshToken,
            ["client_id"] = clientId,
        }, cancellationToken)).ForConsent();

    public async Task<ConsentState> GetConsentStateAsync(ConsentHandle consent, CancellationToken cancellationToken)
    {
        if (consent.AccessToken is null)
        {
            // Nothing was authorised yet: there is nothing at the bank to ask about.
            return ConsentState.Pending;
        }

        using var request = Request(HttpMethod.Get, BasePath + "/accounts", consent.AccessToken);
        using var response = await SendAsync(request, null, cancellationToken);
        if (response.StatusCode == HttpStatusCode.Forbidden && Ended(await MessageAsync(response, cancellationToken)) is var ended and not ConsentState.Other)
        {
            return ended;
        }

        await EnsureSuccessAsync(response, unattended: false, cancellationToken);
        return ConsentState.Valid;
    }

    public async Task TerminateConsentAsync(ConsentHandle consent, CancellationToken cancellationToken)
    {
        if (consent.RefreshToken is null)
        {
            // Never authorised (or already forgotten): the bank holds no grant for it.
            return;
        }

        var server = await oauth.DiscoverAsync(MetadataPath, cancellationToken);
        await oauth.RevokeAsync(server.RevocationEndpoint
            ?? throw new ConnectorException(ConnectorFailure.Refused, "revocation_unsupported", "The bank's OAuth metadata names no revocation endpoint."),
            consent.RefreshToken, "refresh_token", clientId, cancellationToken);
    }

    public Task<DecoupledPoll> PollDecoupledAsync(string decoupledStatus, CancellationToken cancellationToken) => throw Unsupported();

    public Task<BankTokens> RequestDecoupledTokensAsync(string consentId, string decoupledStatus, CancellationToken cancellationToken) => throw Unsupported();

    /// <summary>Balances and transactions, as the consent asked, of every account the token opens: STET's consent, which replaces any earlier one.</summary>
    private async Task PutConsentAsync(string consentId, string accessToken, CancellationToken cancellationToken)
    {
        IReadOnlyList<JsonElement> accounts;
        using (var list = Request(HttpMethod.Get, BasePath + "/accounts", accessToken))
        using (var body = await CallAsync(list, null, unattended: false, cancellationToken))
        {
            accounts = BankHttp.Shape(body, root => root.GetProperty("accounts").EnumerateArray().Select(a => a.GetProperty("accountId").Clone()).ToList());
        }

        using var put = Request(HttpMethod.Put, BasePath + "/consents", accessToken);
        var opens = consentId.Split('-') is [_, var flags, _] ? flags : "";
        put.Content = JsonContent.Create(new
        {
            balances = opens.Contains('b', StringComparison.Ordinal) ? accounts : [],
            transactions = opens.Contains('t', StringComparison.Ordinal) ? accounts : [],
            trustedBeneficiaries = false,
            psuIdentity = false,
        });
        using var response = await SendAsync(put, null, cancellationToken);
        await EnsureSuccessAsync(response, unattended: false, cancellationToken);
    }

    private static ConnectorException Unsupported() =>
        new(ConnectorFailure.Refused, "sca_unsupported", "This STET bank authorises by redirect only.");
}
