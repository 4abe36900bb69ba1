using System.Buffers.Text;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Psd2.SandboxBank.Tests.UkOpenBanking;

/// <summary>A request object (JAR) as a TPP makes one: claims signed PS256, the signing certificate in x5c.</summary>
public static class RequestObject
{
    /// <summary>The claims the contract asks for, valid for five minutes from now.</summary>
    public static JsonObject Claims(string clientId, string issuer, string consentId, string redirectUri, string state, string codeChallenge)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        return new JsonObject
        {
            ["iss"] = clientId,
            ["aud"] = issuer,
            ["client_id"] = clientId,
            ["response_type"] = "code",
            ["redirect_uri"] = redirectUri,
            ["scope"] = "openid accounts",
            ["state"] = state,
            ["nonce"] = Guid.NewGuid().ToString(),
            ["code_challenge"] = codeChallenge,
            ["code_challenge_method"] = "S256",
            ["nbf"] = now - 5,
            ["exp"] = now + 300,
            ["claims"] = new JsonObject
            {
                ["id_token"] = new JsonObject { ["openbanking_intent_id"] = new JsonObject { ["value"] = consentId, ["essential"] = true } },
            },
        };
    }

    public static string Sign(JsonObject claims, X509Certificate2 certificate, string alg = "PS256")
    {
        var header = new JsonObject
        {
            ["alg"] = alg,
            ["typ"] = "oauth-authz-req+jwt",
            ["x5c"] = new JsonArray(Convert.ToBase64String(certificate.RawData)),
        };
        var signingInput = Encode(header) + "." + Encode(claims);
        using var key = certificate.GetRSAPrivateKey()!;
        var signature = key.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256, RSASignaturePadding.Pss);
        return signingInput + "." + Base64Url.EncodeToString(signature);
    }

    /// <summary>alg none and no signature: what an attacker without the TPP's key could send.</summary>
    public static string Unsigned(JsonObject claims, X509Certificate2 certificate) =>
        Encode(new JsonObject { ["alg"] = "none", ["typ"] = "oauth-authz-req+jwt", ["x5c"] = new JsonArray(Convert.ToBase64String(certificate.RawData)) })
        + "." + Encode(claims) + ".";

    /// <summary>The same signature over claims changed afterwards.</summary>
    public static string Tampered(string signed, Action<JsonObject> change)
    {
        var parts = signed.Split('.');
        var claims = JsonNode.Parse(Base64Url.DecodeFromChars(parts[1]))!.AsObject();
        change(claims);
        return parts[0] + "." + Encode(claims) + "." + parts[2];
    }

    private static string Encode(JsonNode node) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(node.ToJsonString(new JsonSerializerOptions())));
}
