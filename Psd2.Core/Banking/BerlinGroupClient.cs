using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Psd2.Core.Banking;

public sealed record BankConsent(string ConsentId, string? ScaOAuthHref);

public sealed record AuthorizationServer(
    [property: JsonPropertyName("issuer")] string Issuer,
    [property: JsonPropertyName("authorization_endpoint")] string AuthorizationEndpoint,
    [property: JsonPropertyName("token_endpoint")] string TokenEndpoint);

public sealed record BankTokens(
    [property: JsonPropertyName("access_token")] string AccessToken,
    [property: JsonPropertyName("refresh_token")] string RefreshToken,
    [property: JsonPropertyName("expires_in")] int ExpiresIn);

/// <summary>A bank's answer that the platform cannot continue with, with the bank's own code when it gave one.</summary>
public sealed class BankException(string code, string message) : Exception(message)
{
    public string Code { get; } = code;
}

/// <summary>
/// The Berlin Group calls a connection needs: API and token calls over the client that carries the platform's QWAC,
/// the public OAuth metadata over one that presents no certificate. Every API call gets a fresh X-Request-ID.
/// </summary>
public sealed class BerlinGroupClient(HttpClient http, HttpClient publicHttp)
{
    public async Task<BankConsent> CreateConsentAsync(DateOnly validUntil, int frequencyPerDay, string redirectUri, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/consents")
        {
            Content = JsonContent.Create(new
            {
                access = new { allPsd2 = "allAccounts" },
                recurringIndicator = true,
                validUntil = validUntil.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
                frequencyPerDay,
                combinedServiceIndicator = false,
            }),
        };
        request.Headers.Add("X-Request-ID", Guid.NewGuid().ToString());
        request.Headers.Add("TPP-Redirect-URI", redirectUri);
        request.Headers.Add("TPP-Redirect-Preferred", "true");
        using var response = await http.SendAsync(request, cancellationToken);
        var body = await ReadAsync(response, cancellationToken);
        var consentId = body.GetProperty("consentId").GetString()!;
        var scaOAuth = body.TryGetProperty("_links", out var links) && links.TryGetProperty("scaOAuth", out var link) ? link.GetProperty("href").GetString() : null;
        return new BankConsent(consentId, scaOAuth);
    }

    /// <summary>Terminates a consent at the bank (DELETE /v1/consents/{id}); the bank revokes its tokens with it.</summary>
    public async Task DeleteConsentAsync(string consentId, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Delete, $"/v1/consents/{Uri.EscapeDataString(consentId)}");
        request.Headers.Add("X-Request-ID", Guid.NewGuid().ToString());
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

    public async Task<BankTokens> ExchangeCodeAsync(string tokenEndpoint, string code, string codeVerifier, string redirectUri, CancellationToken cancellationToken)
    {
        using var response = await http.PostAsync(tokenEndpoint, new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code",
            ["code"] = code,
            ["redirect_uri"] = redirectUri,
            ["code_verifier"] = codeVerifier,
        }), cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            var error = await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
            throw new BankException(error.TryGetProperty("error", out var e) ? e.GetString() ?? "token_error" : "token_error", $"The bank refused the code exchange ({(int)response.StatusCode}).");
        }

        return (await response.Content.ReadFromJsonAsync<BankTokens>(cancellationToken))!;
    }

    private static async Task<JsonElement> ReadAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            var code = body.ValueKind == JsonValueKind.Object && body.TryGetProperty("tppMessages", out var messages) && messages.GetArrayLength() > 0
                ? messages[0].GetProperty("code").GetString() ?? "bank_error"
                : "bank_error";
            throw new BankException(code, $"The bank answered {(int)response.StatusCode} {code}.");
        }

        return body;
    }
}
