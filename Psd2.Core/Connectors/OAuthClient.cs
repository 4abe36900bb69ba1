using System.Globalization;
using System.Text.Json;

namespace Psd2.Core.Connectors;

/// <summary>The authorisation server's endpoints (RFC 8414); the revocation endpoint (RFC 7009) where it offers one.</summary>
public sealed record AuthorizationServerMetadata(string Issuer, string AuthorizationEndpoint, string TokenEndpoint, string? RevocationEndpoint = null);

/// <summary>Tokens as the token endpoint issued them, with the scope it says they carry.</summary>
public sealed record IssuedTokens(string AccessToken, string? RefreshToken, int ExpiresIn, string? Scope)
{
    /// <summary>A consent's tokens, which must include a refresh token: unattended access depends on it.</summary>
    public BankTokens ForConsent() => new(AccessToken,
        RefreshToken ?? throw new ConnectorException(ConnectorFailure.Transient, "malformed_response", "The bank issued no refresh token."), ExpiresIn);
}

/// <summary>
/// OAuth 2.0 as every standard's banks use it: metadata discovery (RFC 8414) over a client that presents no
/// certificate, token requests over the mutual-TLS client that authenticates the platform (tls_client_auth, RFC 8705),
/// and authorisation-code URLs with PKCE (RFC 7636, S256).
/// </summary>
public sealed class OAuthClient(HttpClient tlsHttp, HttpClient publicHttp)
{
    public async Task<AuthorizationServerMetadata> DiscoverAsync(string metadataUrl, CancellationToken cancellationToken)
    {
        using (var response = await ReachAsync(() => publicHttp.GetAsync(metadataUrl, cancellationToken), cancellationToken))
        {
            if (!response.IsSuccessStatusCode)
            {
                throw new ConnectorException(BankHttp.IsTransient(response) ? ConnectorFailure.Transient : ConnectorFailure.Refused,
                    "metadata_unavailable", $"The bank's OAuth metadata answered {(int)response.StatusCode}.");
            }

            using var body = await BankHttp.JsonAsync(response, cancellationToken);
            return BankHttp.Shape(body, m => new AuthorizationServerMetadata(
                BankHttp.Required(m, "issuer"), BankHttp.Required(m, "authorization_endpoint"), BankHttp.Required(m, "token_endpoint"),
                BankHttp.String(m, "revocation_endpoint")));
        }
    }

    /// <summary>The authorisation-code request the PSU's browser is sent to, with what else the standard adds (a request object, a nonce).</summary>
    public static string AuthorizationUrl(AuthorizationServerMetadata server, RedirectRequest request, string scope, params (string Name, string Value)[] more) =>
        $"{server.AuthorizationEndpoint}?response_type=code&client_id={Uri.EscapeDataString(request.ClientId)}"
        + $"&redirect_uri={Uri.EscapeDataString(request.RedirectUri)}&scope={Uri.EscapeDataString(scope)}"
        + $"&state={Uri.EscapeDataString(request.State)}&code_challenge={Uri.EscapeDataString(request.CodeChallenge)}&code_challenge_method=S256"
        + string.Concat(more.Select(p => $"&{p.Name}={Uri.EscapeDataString(p.Value)}"));

    /// <summary>A token request; the bank's refusal carries its OAuth error code (invalid_grant, ...).</summary>
    public async Task<IssuedTokens> RequestTokensAsync(string tokenEndpoint, IReadOnlyDictionary<string, string> form, CancellationToken cancellationToken)
    {
        using (var response = await ReachAsync(() => tlsHttp.PostAsync(tokenEndpoint, new FormUrlEncodedContent(form), cancellationToken), cancellationToken))
        {
            if (!response.IsSuccessStatusCode)
            {
                throw await RefusalAsync(response, "token_error", "the token request", cancellationToken);
            }

            using var body = await BankHttp.JsonAsync(response, cancellationToken);
            return BankHttp.Shape(body, t => new IssuedTokens(
                BankHttp.Required(t, "access_token"), BankHttp.String(t, "refresh_token"), ExpiresIn(t), BankHttp.String(t, "scope")));
        }
    }

    /// <summary>Revokes a token over mutual TLS (RFC 7009); the bank answers 200 for a token it no longer knows, too.</summary>
    public async Task RevokeAsync(string revocationEndpoint, string token, string tokenTypeHint, string clientId, CancellationToken cancellationToken)
    {
        var form = new Dictionary<string, string> { ["token"] = token, ["token_type_hint"] = tokenTypeHint, ["client_id"] = clientId };
        using var response = await ReachAsync(() => tlsHttp.PostAsync(revocationEndpoint, new FormUrlEncodedContent(form), cancellationToken), cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw await RefusalAsync(response, "revocation_error", "the revocation", cancellationToken);
        }
    }

    /// <summary>An OAuth endpoint's refusal, with its <c>error</c> code (RFC 6749 5.2) when the body has one.</summary>
    private static async Task<ConnectorException> RefusalAsync(HttpResponseMessage response, string fallbackCode, string what, CancellationToken cancellationToken)
    {
        using var error = await BankHttp.ErrorJsonAsync(response, cancellationToken);
        var code = error is null ? null : BankHttp.String(error.RootElement, "error");
        return new ConnectorException(BankHttp.IsTransient(response) ? ConnectorFailure.Transient : ConnectorFailure.Refused,
            code ?? fallbackCode, $"The bank refused {what} ({(int)response.StatusCode} {code}).");
    }

    private static async Task<HttpResponseMessage> ReachAsync(Func<Task<HttpResponseMessage>> send, CancellationToken cancellationToken)
    {
        try
        {
            return await send();
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            throw BankHttp.Unreachable(e);
        }
    }

    private static int ExpiresIn(JsonElement tokens) => tokens.GetProperty("expires_in") switch
    {
        { ValueKind: JsonValueKind.Number } number => number.GetInt32(),
        var text => int.Parse(text.GetString()!, NumberStyles.None, CultureInfo.InvariantCulture),
    };
}
