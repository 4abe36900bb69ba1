using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Psd2.Core.Connections;

namespace Psd2.Core.Connectors.UkOpenBanking;

/// <summary>
/// Account-access consents (created, read and deleted with a client-credentials token) and their redirect
/// authorisation: the bank's OpenID configuration, a request object naming the consent as
/// <c>openbanking_intent_id</c>, and the tokens for the code. UK Open Banking has no decoupled flow here.
/// </summary>
public sealed partial class UkOpenBankingConnector
{
    private const string ConsentsPath = BasePath + "/account-access-consents";
    private const string Scope = "openid accounts";

    /// <summary>The standard names its fields in PascalCase, as the C# properties are: no naming policy.</summary>
    private static readonly JsonSerializerOptions PascalCase = new();

    /// <summary>How long the PSU's browser has to reach the bank with the request object.</summary>
    private static readonly TimeSpan RequestObjectLifetime = TimeSpan.FromMinutes(30);

    public async Task<CreatedConsent> CreateConsentAsync(ConsentRequest consent, CancellationToken cancellationToken)
    {
        if (consent.DecoupledPsuId is not null)
        {
            throw Unsupported();
        }

        using var request = Request(HttpMethod.Post, ConsentsPath, await ClientTokenAsync(cancellationToken));
        request.Content = JsonContent.Create(new
        {
            Data = new
            {
                Permissions = PermissionsOf(consent.Access),
                // The end of the consent's last day, as the platform counts days (UTC).
                ExpirationDateTime = consent.ValidUntil.ToDateTime(new TimeOnly(23, 59, 59), DateTimeKind.Utc).ToString("yyyy-MM-ddTHH:mm:ss+00:00", CultureInfo.InvariantCulture),
            },
            Risk = new { },
        }, options: PascalCase);
        using var body = await CallAsync(request, null, cancellationToken);
        // The redirect starts at the bank's OpenID configuration, served on its mutual-TLS host.
        return BankHttp.Shape(body, root => new CreatedConsent(
            BankHttp.Required(root.GetProperty("Data"), "ConsentId"), "/.well-known/openid-configuration", null));
    }

    public async Task<ConsentState> GetConsentStateAsync(ConsentHandle consent, CancellationToken cancellationToken)
    {
        using var request = Request(HttpMethod.Get, $"{ConsentsPath}/{Uri.EscapeDataString(consent.ConsentId)}", await ClientTokenAsync(cancellationToken));
        using var body = await CallAsync(request, null, cancellationToken);
        return BankHttp.Shape(body, root => BankHttp.Required(root.GetProperty("Data"), "Status")) switch
        {
            "AWAU" => ConsentState.Pending,
            "AUTH" => ConsentState.Valid,
            "RJCT" => ConsentState.Rejected,
            "EXPD" => ConsentState.Expired,
            // Cancelled: the PSU withdrew it at the bank (a consent the platform deleted is already over on the platform).
            "CANC" => ConsentState.RevokedByPsu,
            _ => ConsentState.Other,
        };
    }

    public async Task TerminateConsentAsync(ConsentHandle consent, CancellationToken cancellationToken)
    {
        using var request = Request(HttpMethod.Delete, $"{ConsentsPath}/{Uri.EscapeDataString(consent.ConsentId)}", await ClientTokenAsync(cancellationToken));
        using var response = await SendAsync(request, null, cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            throw new ConnectorException(ConnectorFailure.ConsentInvalid, "404", "The bank knows no such consent.");
        }

        await EnsureSuccessAsync(response, unattended: false, cancellationToken);
    }

    public async Task<AuthorisationRedirect> AuthorisationRedirectAsync(CreatedConsent consent, RedirectRequest request, CancellationToken cancellationToken)
    {
        var server = await oauth.DiscoverAsync(consent.Redirect ?? throw Unsupported(), cancellationToken);
        var now = time.GetUtcNow();
        var nonce = Guid.NewGuid().ToString("N");
        var requestObject = signers.Jws("oauth-authz-req+jwt", new Dictionary<string, object>
        {
            ["iss"] = request.ClientId,
            ["aud"] = server.Issuer,
            ["client_id"] = request.ClientId,
            ["response_type"] = "code",
            ["redirect_uri"] = request.RedirectUri,
            ["scope"] = Scope,
            ["state"] = request.State,
            ["nonce"] = nonce,
            ["code_challenge"] = request.CodeChallenge,
            ["code_challenge_method"] = "S256",
            ["claims"] = new Dictionary<string, object>
            {
                ["id_token"] = new Dictionary<string, object>
                {
                    ["openbanking_intent_id"] = new Dictionary<string, object> { ["value"] = consent.ConsentId, ["essential"] = true },
                },
            },
        }, now, now + RequestObjectLifetime);
        return new AuthorisationRedirect(
            OAuthClient.AuthorizationUrl(server, request, Scope, ("nonce", nonce), ("request", requestObject)), server.TokenEndpoint);
    }

    public Task<DecoupledPoll> PollDecoupledAsync(string decoupledStatus, CancellationToken cancellationToken) => throw Unsupported();

    public Task<BankTokens> RequestDecoupledTokensAsync(string consentId, string decoupledStatus, CancellationToken cancellationToken) => throw Unsupported();

    public async Task<BankTokens> ExchangeCodeAsync(
        string consentId, string tokenEndpoint, string code, string codeVerifier, string redirectUri, CancellationToken cancellationToken) =>
        (await oauth.RequestTokensAsync(tokenEndpoint, new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code",
            ["code"] = code,
            ["redirect_uri"] = redirectUri,
            ["code_verifier"] = codeVerifier,
            ["client_id"] = clientId,
        }, cancellationToken)).ForConsent();

    public async Task<BankTokens> RefreshTokensAsync(string consentId, string refreshToken, CancellationToken cancellationToken) =>
        (await oauth.RequestTokensAsync(tokenPath, new Dictionary<string, string>
        {
            ["grant_type"] = "refresh_token",
            ["refresh_token"] = refreshToken,
            ["client_id"] = clientId,
        }, cancellationToken)).ForConsent();

    private static ConnectorException Unsupported() =>
        new(ConnectorFailure.Refused, "sca_unsupported", "This UK Open Banking bank authorises consents by redirect only.");

    /// <summary>The data clusters the platform's access needs, as the standard's permission codes.</summary>
    private static List<string> PermissionsOf(IReadOnlyList<string> access)
    {
        List<string> permissions = ["ReadAccountsDetail"];
        if (access.Contains(ConnectionAccess.Balances))
        {
            permissions.Add("ReadBalances");
        }

        if (access.Contains(ConnectionAccess.Transactions))
        {
            permissions.AddRange(["ReadTransactionsDetail", "ReadTransactionsCredits", "ReadTransactionsDebits"]);
        }

        return permissions;
    }
}
