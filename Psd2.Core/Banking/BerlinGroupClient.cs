using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;
using Psd2.Core.Connections;

namespace Psd2.Core.Banking;

/// <summary>A consent just created: where the PSU authorises it (redirect) or where its BankID order is polled (decoupled).</summary>
public sealed record BankConsent(string ConsentId, string? ScaOAuthHref, string? ScaStatusHref);

/// <summary>What the platform asks a bank for: all the PSU's accounts for the given access, recurring, until a date, at most so many unattended reads a day.</summary>
public sealed record ConsentRequest(IReadOnlyList<string> Access, DateOnly ValidUntil, int FrequencyPerDay, string? RedirectUri, string? DecoupledPsuId);

/// <summary>One poll of a decoupled order: its scaStatus, or when the bank asked to come back later.</summary>
public sealed record ScaPoll(string? ScaStatus, TimeSpan? RetryAfter);

public sealed record AuthorizationServer(
    [property: JsonPropertyName("issuer")] string Issuer,
    [property: JsonPropertyName("authorization_endpoint")] string AuthorizationEndpoint,
    [property: JsonPropertyName("token_endpoint")] string TokenEndpoint);

public sealed record BankTokens(
    [property: JsonPropertyName("access_token")] string AccessToken,
    [property: JsonPropertyName("refresh_token")] string RefreshToken,
    [property: JsonPropertyName("expires_in")] int ExpiresIn,
    [property: JsonPropertyName("scope")] string? Scope = null)
{
    public const string ScopeMismatch = "scope_mismatch";

    /// <summary>
    /// Tokens the bank says are for another consent are refused, whatever the bank's own checks (a code swapped
    /// between two callbacks must never activate a connection with someone else's consent).
    /// </summary>
    public void EnsureFor(string consentId)
    {
        if (Scope is not null && Scope != "AIS:" + consentId)
        {
            throw new BankException(ScopeMismatch, "The bank issued tokens for another consent.");
        }
    }
}

/// <summary>A bank's answer that the platform cannot continue with, with the bank's own code when it gave one.</summary>
public sealed class BankException(string code, string message, int? statusCode = null) : Exception(message)
{
    public string Code { get; } = code;
    /// <summary>The bank's HTTP status; a 4xx means the bank refused the request, not that it is unavailable.</summary>
    public int? StatusCode { get; } = statusCode;
    public bool IsRefusal => StatusCode is >= 400 and < 500;
}

/// <summary>
/// The Berlin Group calls a connection needs: API and token calls over the client that carries the platform's QWAC,
/// the public OAuth metadata over one that presents no certificate. Every API call gets a fresh X-Request-ID.
/// </summary>
public sealed class BerlinGroupClient(HttpClient http, HttpClient publicHttp)
{
    /// <summary>
    /// POST /v1/consents. With <see cref="ConsentRequest.DecoupledPsuId"/> the bank starts a BankID order on the PSU's
    /// phone (decoupled); otherwise it offers OAuth redirect towards <see cref="ConsentRequest.RedirectUri"/>.
    /// </summary>
    public async Task<BankConsent> CreateConsentAsync(ConsentRequest consent, CancellationToken cancellationToken)
    {
        using var request = Request(HttpMethod.Post, "/v1/consents");
        request.Content = JsonContent.Create(new
        {
            access = AccessOf(consent.Access),
            recurringIndicator = true,
            validUntil = consent.ValidUntil.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
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

        using var response = await http.SendAsync(request, cancellationToken);
        var body = await ReadAsync(response, cancellationToken);
        return new BankConsent(body.GetProperty("consentId").GetString()!, Link(body, "scaOAuth"), Link(body, "scaStatus"));
    }

    /// <summary>GET /v1/consents/{id}/status, which does not count against the consent's daily access budget.</summary>
    public async Task<string> GetConsentStatusAsync(string consentId, CancellationToken cancellationToken)
    {
        using var request = Request(HttpMethod.Get, $"/v1/consents/{Uri.EscapeDataString(consentId)}/status");
        using var response = await http.SendAsync(request, cancellationToken);
        return (await ReadAsync(response, cancellationToken)).GetProperty("consentStatus").GetString()
            ?? throw new BankException("bank_error", "The bank answered a consent status without one.");
    }

    /// <summary>One poll of a decoupled order's scaStatus link; a 429 tells when to come back rather than failing.</summary>
    public async Task<ScaPoll> PollScaStatusAsync(string scaStatusHref, CancellationToken cancellationToken)
    {
        using var request = Request(HttpMethod.Get, scaStatusHref);
        using var response = await http.SendAsync(request, cancellationToken);
        if (response.StatusCode == HttpStatusCode.TooManyRequests)
        {
            return new ScaPoll(null, response.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(1));
        }

        return new ScaPoll((await ReadAsync(response, cancellationToken)).GetProperty("scaStatus").GetString(), null);
    }

    /// <summary>Terminates a consent at the bank (DELETE /v1/consents/{id}); the bank revokes its tokens with it.</summary>
    public async Task DeleteConsentAsync(string consentId, CancellationToken cancellationToken)
    {
        using var request = Request(HttpMethod.Delete, $"/v1/consents/{Uri.EscapeDataString(consentId)}");
        using var response = await http.SendAsync(request, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            await ReadAsync(response, cancellationToken);
        }
    }

    public async Task<AuthorizationServer> GetAuthorizationServerAsync(string metadataUrl, CancellationToken cancellationToken)
    {
        using var response = await publicHttp.GetAsync(metadataUrl, cancellationToken);
        return (await ReadAsync(response, cancellationToken)).Deserialize<AuthorizationServer>()
            ?? throw new BankException("metadata_invalid", "The bank's OAuth metadata is empty.");
    }

    public Task<BankTokens> ExchangeCodeAsync(string tokenEndpoint, string code, string codeVerifier, string redirectUri, CancellationToken cancellationToken) =>
        RequestTokensAsync(tokenEndpoint, new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code",
            ["code"] = code,
            ["redirect_uri"] = redirectUri,
            ["code_verifier"] = codeVerifier,
        }, cancellationToken);

    /// <summary>Tokens for an approved decoupled order: the CIBA grant with the authorisation id as auth_req_id.</summary>
    public Task<BankTokens> RequestDecoupledTokensAsync(string tokenEndpoint, string authorisationId, CancellationToken cancellationToken) =>
        RequestTokensAsync(tokenEndpoint, new Dictionary<string, string>
        {
            ["grant_type"] = "urn:openid:params:grant-type:ciba",
            ["auth_req_id"] = authorisationId,
        }, cancellationToken);

    /// <summary>New tokens for a refresh token; the bank rotates the refresh token, so the answer replaces both.</summary>
    public Task<BankTokens> RefreshTokensAsync(string tokenEndpoint, string refreshToken, CancellationToken cancellationToken) =>
        RequestTokensAsync(tokenEndpoint, new Dictionary<string, string>
        {
            ["grant_type"] = "refresh_token",
            ["refresh_token"] = refreshToken,
        }, cancellationToken);

    private async Task<BankTokens> RequestTokensAsync(string tokenEndpoint, Dictionary<string, string> form, CancellationToken cancellationToken)
    {
        using var response = await http.PostAsync(tokenEndpoint, new FormUrlEncodedContent(form), cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            var error = await ErrorBodyAsync(response, cancellationToken);
            throw new BankException(
                error is { } body && body.TryGetProperty("error", out var e) ? e.GetString() ?? "token_error" : "token_error",
                $"The bank refused the token request ({(int)response.StatusCode}).", (int)response.StatusCode);
        }

        return (await response.Content.ReadFromJsonAsync<BankTokens>(cancellationToken))!;
    }

    /// <summary>Consents on all the PSU's accounts, without naming IBANs the platform does not know yet.</summary>
    private static Dictionary<string, string> AccessOf(IReadOnlyList<string> access) => new()
    {
        [access.Contains(ConnectionAccess.Transactions) ? "allPsd2" : access.Contains(ConnectionAccess.Balances) ? "availableAccountsWithBalance" : "availableAccounts"] = "allAccounts",
    };

    private static HttpRequestMessage Request(HttpMethod method, string url)
    {
        var request = new HttpRequestMessage(method, url);
        request.Headers.Add("X-Request-ID", Guid.NewGuid().ToString());
        return request;
    }

    private static string? Link(JsonElement body, string name) =>
        body.TryGetProperty("_links", out var links) && links.TryGetProperty(name, out var link) ? link.GetProperty("href").GetString() : null;

    private static async Task<JsonElement> ReadAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (!response.IsSuccessStatusCode)
        {
            var error = await ErrorBodyAsync(response, cancellationToken);
            var code = error is { } body && body.TryGetProperty("tppMessages", out var messages) && messages.ValueKind == JsonValueKind.Array
                && messages.GetArrayLength() > 0 && messages[0].TryGetProperty("code", out var first) ? first.GetString() ?? "bank_error" : "bank_error";
            throw new BankException(code, $"The bank answered {(int)response.StatusCode} {code}.", (int)response.StatusCode);
        }

        return await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
    }

    /// <summary>An error body when it is a JSON object; a proxy's HTML page or an empty body is no reason to fail differently.</summary>
    private static async Task<JsonElement?> ErrorBodyAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            var body = await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
            return body.ValueKind == JsonValueKind.Object ? body : null;
        }
        catch (Exception e) when (e is JsonException or NotSupportedException)
        {
            return null;
        }
    }
}
