using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Psd2.SandboxBank.Consents;
using Psd2.SandboxBank.OAuth;
using Psd2.SandboxBank.Tls;
using static Psd2.SandboxBank.Pages.PageResults;

namespace Psd2.SandboxBank.UkOpenBanking;

/// <summary>
/// The UK dialect's authorisation request: a request object (JAR, RFC 9101) signed PS256 with the TPP's QSealC, the
/// certificate in its x5c header. The object, not the query, says where to send the PSU back, so until its signature
/// and certificate are proven every error stays on the bank's page (400); after that the TPP's redirect_uri hears of
/// it (RFC 6749 section 4.1.2.1). Times are judged by real time, as the TPP's signature and certificate are.
/// </summary>
public sealed class RequestObjects(ConsentStore consents, TppCertificateValidator certificates, TimeProvider realTime, IOptionsMonitor<BankOptions> options)
{
    private const int MaxLength = 16 * 1024;
    private static readonly TimeSpan LongestLifetime = TimeSpan.FromMinutes(60);

    // Clocks of TPP and bank differ a little; a few seconds either way are forgiven.
    private static readonly TimeSpan ClockSkew = TimeSpan.FromSeconds(10);

    public async Task<(AuthorizationRequest?, IResult?)> ReadAsync(HttpRequest request)
    {
        var query = request.Query;
        string? Single(string name) => query[name] is { Count: 1 } value ? value.ToString() : null;
        static (AuthorizationRequest?, IResult?) Refuse(string text) => (null, Message("Request not valid", text, 400));

        var clientId = Single("client_id");
        if (clientId is null || Single("request") is not { Length: > 0 and <= MaxLength } jws)
        {
            return Refuse("The request needs client_id and a signed request object (request).");
        }

        var (claims, refusal) = await VerifyAsync(jws, clientId, CertificateProblem);
        if (claims is null)
        {
            return Refuse(refusal);
        }

        using (claims)
        {
            var root = claims.RootElement;
            string? Claim(string name) => root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

            var redirectUri = Claim("redirect_uri");
            if (redirectUri is null || !ConsentHeaders.IsAcceptableRedirect(redirectUri))
            {
                return Refuse("The request object's redirect_uri must be an absolute https URI (http only on loopback), without fragment.");
            }

            // From here on the TPP's own signed redirect_uri hears of every problem.
            var state = Claim("state");
            if (state is not { Length: > 0 and <= 512 })
            {
                return Redirect(redirectUri, null, "invalid_request_object", "state is required in the request object");
            }

            var problem = CheckClaims(root, clientId, query);
            if (problem is not null)
            {
                return Redirect(redirectUri, state, problem.Value.Error, problem.Value.Description);
            }

            var consent = IntentId(root) is { Length: > 0 and <= 128 } intentId
                ? await consents.FindAsync(intentId, clientId, request.HttpContext.RequestAborted)
                : null;
            if (consent?.UkTerms is null)
            {
                return Redirect(redirectUri, state, "invalid_request_object", "openbanking_intent_id names no account-access consent of this client");
            }

            return (new AuthorizationRequest(consent, redirectUri, state, Claim("code_challenge")!), null);
        }
    }

    /// <summary>
    /// The compact JWS is PS256 over header.payload, with typ oauth-authz-req+jwt; its x5c certificate chains to the
    /// sandbox QTSP, is valid now, is a QSealC (QcType eseal: a QWAC certifies a web server, not a signature) with
    /// role PSP_AI, and names <paramref name="clientId"/> as organizationIdentifier. The JWS itself is read and its
    /// signature checked by Microsoft.IdentityModel; the claims are judged afterwards, where a problem can be told to
    /// the TPP's redirect_uri.
    /// </summary>
    private static async Task<(JsonDocument? Claims, string Refusal)> VerifyAsync(string jws, string clientId, Func<X509Certificate2, string, string?> certificateProblem)
    {
        JsonWebToken token;
        try
        {
            token = new JsonWebToken(jws);
        }
        catch (Exception e) when (e is ArgumentException or SecurityTokenMalformedException)
        {
            return (null, "The request object is not a signed JWT (compact JWS with a signature).");
        }

        if (token.Alg != SecurityAlgorithms.RsaSsaPssSha256)
        {
            return (null, "The request object must be signed with PS256.");
        }

        if (token.Typ != "oauth-authz-req+jwt")
        {
            return (null, "The request object's typ must be oauth-authz-req+jwt.");
        }

        if (!token.TryGetHeaderValue<string[]>("x5c", out var x5c) || x5c is not [var first, ..] || Der(first) is not { } der)
        {
            return (null, "The request object's header must carry the signing QSealC in x5c.");
        }

        X509Certificate2 certificate;
        try
        {
            certificate = X509CertificateLoader.LoadCertificate(der);
        }
        catch (CryptographicException)
        {
            return (null, "The request object's header is not valid.");
        }

        using (certificate)
        {
            if (certificateProblem(certificate, clientId) is { } problem)
            {
                return (null, problem);
            }

            var validated = await new JsonWebTokenHandler().ValidateTokenAsync(token, new TokenValidationParameters
            {
                IssuerSigningKey = new X509SecurityKey(certificate),
                ValidAlgorithms = [SecurityAlgorithms.RsaSsaPssSha256],
                ValidTypes = ["oauth-authz-req+jwt"],
                // Issuer, audience and times are claims the caller judges, with the redirect the request object names.
                ValidateIssuer = false,
                ValidateAudience = false,
                ValidateLifetime = false,
                RequireExpirationTime = false,
            });
            if (!validated.IsValid)
            {
                return (null, "The request object's signature does not verify with the x5c certificate.");
            }
        }

        try
        {
            var claims = JsonDocument.Parse(Base64UrlEncoder.DecodeBytes(token.EncodedPayload));
            if (claims.RootElement.ValueKind == JsonValueKind.Object)
            {
                return (claims, "");
            }

            claims.Dispose();
            return (null, "The request object's claims are not a JSON object.");
        }
        catch (Exception e) when (e is JsonException or FormatException)
        {
            return (null, "The request object's claims are not JSON.");
        }
    }

    private static byte[]? Der(string base64)
    {
        try
        {
            return Convert.FromBase64String(base64);
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private string? CertificateProblem(X509Certificate2 certificate, string clientId)
    {
        if (!certificates.IsCurrent(certificate))
        {
            return "The request object's signing certificate is expired or not yet valid.";
        }

        if (!certificates.ChainsToTrustedCa(certificate))
        {
            return "The request object's signing certificate is not issued by a QTSP this bank trusts.";
        }

        if (!TppCertificate.QcTypes(certificate).Contains(TppCertificate.QcTypeESeal))
        {
            return "The request object must be signed with a QSealC (QcType eseal); a QWAC only authenticates TLS.";
        }

        var identity = TppCertificate.TryRead(certificate);
        if (identity is null || !identity.Roles.Contains(TppIdentity.AccountInformation))
        {
            return "The request object's signing certificate does not carry the PSP_AI role.";
        }

        return identity.OrganizationId == clientId
            ? null
            : "The request object is signed by another organisation than client_id.";
    }

    /// <summary>The claims that must agree with the client, the bank and the query, and the OAuth ones the flow needs.</summary>
    private (string Error, string Description)? CheckClaims(JsonElement root, string clientId, IQueryCollection query)
    {
        string? Claim(string name) => root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
        long? Time(string name) => root.TryGetProperty(name, out var value) && value.TryGetInt64(out var seconds) ? seconds : null;
        bool Agrees(string name) => query[name] is not { Count: > 0 } sent || (sent.Count == 1 && sent[0] == Claim(name));

        var issuer = options.CurrentValue.PsuBaseUrl.TrimEnd('/');
        var audience = root.TryGetProperty("aud", out var aud) ? aud : default;
        var audienceMatches = audience.ValueKind switch
        {
            JsonValueKind.String => audience.GetString()?.TrimEnd('/') == issuer,
            JsonValueKind.Array => audience.EnumerateArray().Any(a => a.ValueKind == JsonValueKind.String && a.GetString()?.TrimEnd('/') == issuer),
            _ => false,
        };
        if (Claim("iss") != clientId || Claim("client_id") != clientId)
        {
            return ("invalid_request_object", "iss and client_id must be the client_id");
        }

        if (!audienceMatches)
        {
            return ("invalid_request_object", "aud must be the issuer " + issuer);
        }

        var now = realTime.GetUtcNow();
        if (Time("exp") is not { } exp || Time("nbf") is not { } nbf)
        {
            return ("invalid_request_object", "exp and nbf are required");
        }

        var notBefore = DateTimeOffset.FromUnixTimeSeconds(nbf);
        var expires = DateTimeOffset.FromUnixTimeSeconds(exp);
        if (expires - notBefore > LongestLifetime || expires <= notBefore)
        {
            return ("invalid_request_object", "exp must lie after nbf and at most 60 minutes after it");
        }

        if (now + ClockSkew < notBefore || now - ClockSkew >= expires)
        {
            return ("invalid_request_object", "the request object is expired or not yet valid");
        }

        if (!Agrees("client_id") || !Agrees("response_type") || !Agrees("scope"))
        {
            return ("invalid_request", "client_id, response_type and scope in the query must agree with the request object");
        }

        if (Claim("response_type") != "code")
        {
            return ("unsupported_response_type", "response_type must be code");
        }

        var scopes = (Claim("scope") ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (!scopes.Contains("openid") || !scopes.Contains("accounts"))
        {
            return ("invalid_scope", "scope must hold openid and accounts");
        }

        if (Claim("nonce") is not { Length: > 0 and <= 512 })
        {
            return ("invalid_request_object", "nonce is required");
        }

        if (Claim("code_challenge_method") != "S256" || Claim("code_challenge") is not { } challenge || !Pkce.IsWellFormedChallenge(challenge))
        {
            return ("invalid_request", "PKCE with code_challenge_method S256 is required");
        }

        return null;
    }

    /// <summary>claims.id_token.openbanking_intent_id.value: the ConsentId the PSU is asked to authorise.</summary>
    private static string? IntentId(JsonElement root) =>
        root.TryGetProperty("claims", out var requested) && requested.ValueKind == JsonValueKind.Object
        && requested.TryGetProperty("id_token", out var idToken) && idToken.ValueKind == JsonValueKind.Object
        && idToken.TryGetProperty("openbanking_intent_id", out var intent) && intent.ValueKind == JsonValueKind.Object
        && intent.TryGetProperty("value", out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;

    private static (AuthorizationRequest?, IResult?) Redirect(string redirectUri, string? state, string error, string description) =>
        (null, Results.Redirect(state is null
            ? AuthorizeEndpoints.Callback(redirectUri, ("error", error), ("error_description", description))
            : AuthorizeEndpoints.Callback(redirectUri, ("error", error), ("error_description", description), ("state", state))));
}
