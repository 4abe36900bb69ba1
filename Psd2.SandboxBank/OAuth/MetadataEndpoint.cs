using System.Text.Json.Serialization;
using Microsoft.Extensions.Options;

namespace Psd2.SandboxBank.OAuth;

/// <summary>RFC 8414 authorization server metadata, where the consent's scaOAuth link points.</summary>
public static class MetadataEndpoint
{
    public static void MapOAuthMetadata(this IEndpointRouteBuilder app) =>
        app.MapGet("/.well-known/oauth-authorization-server", (IOptionsMonitor<BankOptions> options) =>
        {
            var bank = options.CurrentValue;
            var issuer = bank.PsuBaseUrl.TrimEnd('/');
            return TypedResults.Ok(new AuthorizationServerMetadata(
                issuer,
                issuer + "/oauth2/authorize",
                bank.TppBaseUrl.TrimEnd('/') + "/oauth2/token",
                ["code"],
                ["authorization_code", "refresh_token", TokenEndpoint.CibaGrant],
                ["S256"],
                ["tls_client_auth"],
                TlsClientCertificateBoundAccessTokens: true,
                ["poll"]));
        }).WithName("OAuthMetadata").WithTags("OAuth");
}

public sealed record AuthorizationServerMetadata(
    [property: JsonPropertyName("issuer")] string Issuer,
    [property: JsonPropertyName("authorization_endpoint")] string AuthorizationEndpoint,
    [property: JsonPropertyName("token_endpoint")] string TokenEndpoint,
    [property: JsonPropertyName("response_types_supported")] IReadOnlyList<string> ResponseTypesSupported,
    [property: JsonPropertyName("grant_types_supported")] IReadOnlyList<string> GrantTypesSupported,
    [property: JsonPropertyName("code_challenge_methods_supported")] IReadOnlyList<string> CodeChallengeMethodsSupported,
    [property: JsonPropertyName("token_endpoint_auth_methods_supported")] IReadOnlyList<string> TokenEndpointAuthMethodsSupported,
    [property: JsonPropertyName("tls_client_certificate_bound_access_tokens")] bool TlsClientCertificateBoundAccessTokens,
    [property: JsonPropertyName("backchannel_token_delivery_modes_supported")] IReadOnlyList<string> BackchannelTokenDeliveryModesSupported);
