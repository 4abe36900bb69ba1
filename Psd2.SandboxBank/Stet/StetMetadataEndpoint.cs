using System.Text.Json.Serialization;
using Microsoft.Extensions.Options;

namespace Psd2.SandboxBank.Stet;

/// <summary>RFC 8414 metadata of the STET dialect: authorization code and refresh only (no CIBA), with revocation and STET's scopes.</summary>
public static class StetMetadataEndpoint
{
    public static void MapStetMetadata(this IEndpointRouteBuilder app) =>
        app.MapGet("/.well-known/oauth-authorization-server", (IOptionsMonitor<BankOptions> options) =>
        {
            var bank = options.CurrentValue;
            var issuer = bank.PsuBaseUrl.TrimEnd('/');
            var tpp = bank.TppBaseUrl.TrimEnd('/');
            return TypedResults.Ok(new StetAuthorizationServerMetadata(
                issuer,
                issuer + "/oauth2/authorize",
                tpp + "/oauth2/token",
                tpp + "/oauth2/revoke",
                ["code"],
                ["authorization_code", "refresh_token"],
                ["S256"],
                ["tls_client_auth"],
                ["tls_client_auth"],
                TlsClientCertificateBoundAccessTokens: true,
                [StetScopes.Aisp, StetScopes.ExtendedTransactionHistory]));
        }).WithName("StetOAuthMetadata").WithTags("OAuth");
}

public sealed record StetAuthorizationServerMetadata(
    [property: JsonPropertyName("issuer")] string Issuer,
    [property: JsonPropertyName("authorization_endpoint")] string AuthorizationEndpoint,
    [property: JsonPropertyName("token_endpoint")] string TokenEndpoint,
    [property: JsonPropertyName("revocation_endpoint")] string RevocationEndpoint,
    [property: JsonPropertyName("response_types_supported")] IReadOnlyList<string> ResponseTypesSupported,
    [property: JsonPropertyName("grant_types_supported")] IReadOnlyList<string> GrantTypesSupported,
    [property: JsonPropertyName("code_challenge_methods_supported")] IReadOnlyList<string> CodeChallengeMethodsSupported,
    [property: JsonPropertyName("token_endpoint_auth_methods_supported")] IReadOnlyList<string> TokenEndpointAuthMethodsSupported,
    [property: JsonPropertyName("revocation_endpoint_auth_methods_supported")] IReadOnlyList<string> RevocationEndpointAuthMethodsSupported,
    [property: JsonPropertyName("tls_client_certificate_bound_access_tokens")] bool TlsClientCertificateBoundAccessTokens,
    [property: JsonPropertyName("scopes_supported")] IReadOnlyList<string> ScopesSupported);
