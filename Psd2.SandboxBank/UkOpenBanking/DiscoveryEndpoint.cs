using System.Text.Json.Serialization;
using Microsoft.Extensions.Options;

namespace Psd2.SandboxBank.UkOpenBanking;

/// <summary>OpenID Connect discovery for the UK dialect's FAPI-style authorisation; public, on both endpoints.</summary>
public static class DiscoveryEndpoint
{
    public static void MapOpenIdConfiguration(this IEndpointRouteBuilder app) =>
        app.MapGet("/.well-known/openid-configuration", (IOptionsMonitor<BankOptions> options) =>
        {
            var bank = options.CurrentValue;
            var issuer = bank.PsuBaseUrl.TrimEnd('/');
            return TypedResults.Ok(new OpenIdConfiguration(
                issuer,
                issuer + "/oauth2/authorize",
                bank.TppBaseUrl.TrimEnd('/') + "/oauth2/token",
                ["tls_client_auth"],
                TlsClientCertificateBoundAccessTokens: true,
                ["PS256"],
                ["S256"],
                ["code"],
                ["authorization_code", "refresh_token", "client_credentials"],
                [.. Scopes.AuthorizationCode.Split(' ')],
                RequestParameterSupported: true,
                RequestUriParameterSupported: false,
                ClaimsParameterSupported: true));
        }).WithName("OpenIdConfiguration").WithTags("OAuth");
}

public sealed record OpenIdConfiguration(
    [property: JsonPropertyName("issuer")] string Issuer,
    [property: JsonPropertyName("authorization_endpoint")] string AuthorizationEndpoint,
    [property: JsonPropertyName("token_endpoint")] string TokenEndpoint,
    [property: JsonPropertyName("token_endpoint_auth_methods_supported")] IReadOnlyList<string> TokenEndpointAuthMethodsSupported,
    [property: JsonPropertyName("tls_client_certificate_bound_access_tokens")] bool TlsClientCertificateBoundAccessTokens,
    [property: JsonPropertyName("request_object_signing_alg_values_supported")] IReadOnlyList<string> RequestObjectSigningAlgValuesSupported,
    [property: JsonPropertyName("code_challenge_methods_supported")] IReadOnlyList<string> CodeChallengeMethodsSupported,
    [property: JsonPropertyName("response_types_supported")] IReadOnlyList<string> ResponseTypesSupported,
    [property: JsonPropertyName("grant_types_supported")] IReadOnlyList<string> GrantTypesSupported,
    [property: JsonPropertyName("scopes_supported")] IReadOnlyList<string> ScopesSupported,
    [property: JsonPropertyName("request_parameter_supported")] bool RequestParameterSupported,
    [property: JsonPropertyName("request_uri_parameter_supported")] bool RequestUriParameterSupported,
    [property: JsonPropertyName("claims_parameter_supported")] bool ClaimsParameterSupported);
