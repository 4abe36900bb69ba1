using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Options;
using Psd2.SandboxBank.Consents;
using Psd2.SandboxBank.Infrastructure;
using Psd2.SandboxBank.Sca;
using Psd2.SandboxBank.Time;
using Psd2.SandboxBank.Tls;

namespace Psd2.SandboxBank.OAuth;

/// <summary>
/// POST /oauth2/token on the mutual-TLS endpoint. The client is the TPP its QWAC names (tls_client_auth, RFC 8705).
/// Grants: authorization_code with PKCE S256, refresh_token with rotation, and CIBA's grant for decoupled BankID
/// approvals (auth_req_id = the authorisation id); the UK Open Banking dialect adds client_credentials for its
/// consent resources, and STET has neither. Every token is bound to the certificate it was issued over.
/// </summary>
public static class TokenEndpoint
{
    public const string CibaGrant = "urn:openid:params:grant-type:ciba";

    public static void MapTokenEndpoint(this IEndpointRouteBuilder app) =>
        app.MapPost("/oauth2/token", IssueAsync).WithName("Token").WithTags("OAuth").DisableAntiforgery();

    private static async Task<IResult> IssueAsync(HttpContext context, TokenStore tokens, ConsentStore consents, ScaService sca, BankClock clock, IOptionsMonitor<BankOptions> options)
    {
        context.Response.Headers.CacheControl = "no-store";
        if (!context.Request.HasFormContentType)
        {
            return Error("invalid_request", "The body must be application/x-www-form-urlencoded.");
        }

        IFormCollection form;
        try
        {
            form = await context.Request.ReadFormAsync(context.RequestAborted);
        }
        catch (Exception e) when (e is InvalidDataException or BadHttpRequestException)
        {
            return Error("invalid_request", "The form could not be read.");
        }

        var tpp = context.Tpp();
        if (form["client_id"] is { Count: > 0 } clientId && clientId.ToString() != tpp.OrganizationId)
        {
            return Error("invalid_client", "client_id does not match the TLS client certificate.", StatusCodes.Status401Unauthorized);
        }

        var bank = options.CurrentValue;
        var openBanking = bank.Standard == BankStandard.UkOpenBanking;
        var grant = new TokenGrant(form, tpp.OrganizationId, CertificateBinding.ThumbprintOf(context)!, openBanking, tokens, consents, clock, bank, context.RequestAborted);
        return form["grant_type"].ToString() switch
        {
            "authorization_code" => await grant.AuthorizationCodeAsync(),
            "refresh_token" => await grant.RefreshTokenAsync(),
            CibaGrant when bank.Standard == BankStandard.BerlinGroup => await grant.DecoupledAsync(sca),
            ClientCredentialsGrant when openBanking => await grant.ClientCredentialsAsync(),
            "" => Error("invalid_request", "grant_type is required."),
            _ => Error("unsupported_grant_type", bank.Standard switch
            {
                BankStandard.UkOpenBanking => "Supported: authorization_code, refresh_token, client_credentials.",
                BankStandard.Stet => "Supported: authorization_code, refresh_token.",
                _ => "Supported: authorization_code, refresh_token, " + CibaGrant + ".",
            }),
        };
    }

    public const string ClientCredentialsGrant = "client_credentials";

    internal static IResult Error(string error, string description, int status = StatusCodes.Status400BadRequest) =>
        TypedResults.Json(new OAuthError(error, description), statusCode: status);

    private sealed class TokenGrant(
        IFormCollection form, string tppId, byte[] certificateThumbprint, bool openBanking,
        TokenStore tokens, ConsentStore consents, BankClock clock, BankOptions options, CancellationToken cancellationToken)
    {
        private readonly DateTimeOffset _now = clock.GetUtcNow();

        /// <summary>UK Open Banking: a token for the TPP itself, to create and read its consents.</summary>
        public async Task<IResult> ClientCredentialsAsync()
        {
            if (form["client_id"].Count == 0)
            {
                return Error("invalid_request", "client_id is required.");
            }

            var scope = form["scope"].ToString();
            if (scope.Length > 0 && scope.Split(' ', StringSplitOptions.RemoveEmptyEntries) is not ["accounts"])
            {
                return Error("invalid_scope", "The only scope offered with client_credentials is accounts.");
            }

            var (accessToken, expiresIn) = await tokens.IssueClientTokenAsync(tppId, certificateThumbprint, _now + options.AccessTokenLifetime, _now, cancellationToken);
            return TypedResults.Ok(new TokenResponse(accessToken, "Bearer", expiresIn, RefreshToken: null, UkOpenBanking.Scopes.ClientCredentials));
        }

        public async Task<IResult> AuthorizationCodeAsync()
        {
            var code = form["code"].ToString();
            var verifier = form["code_verifier"].ToString();
            if (code.Length == 0 || form["redirect_uri"].Count == 0)
            {
                return Error("invalid_request", "code and redirect_uri are required.");
            }

            if (!Pkce.IsWellFormedVerifier(verifier))
            {
                return Error("invalid_request", "code_verifier must be 43 to 128 unreserved characters.");
            }

            var redeemed = await tokens.RedeemCodeAsync(code, _now, cancellationToken);
            if (redeemed is null || redeemed.TppId != tppId)
            {
                return Error("invalid_grant", "The code is unknown.");
            }

            if (redeemed.AlreadyUsed)
            {
                return Error("invalid_grant", "The code was already used; tokens issued from it are revoked.");
            }

            if (redeemed.ExpiresAt <= _now)
            {
                return Error("invalid_grant", "The code has expired.");
            }

            if (redeemed.RedirectUri != form["redirect_uri"].ToString())
            {
                return Error("invalid_grant", "redirect_uri differs from the authorization request.");
            }

            if (!Pkce.Matches(verifier, redeemed.CodeChallenge))
            {
                return Error("invalid_grant", "code_verifier does not match the code_challenge.");
            }

            return redeemed.PaymentId is { } paymentId
                ? await IssueForPaymentAsync(redeemed.FamilyId, paymentId)
                : await IssueForConsentAsync(redeemed.FamilyId, redeemed.ConsentId!);
        }

        /// <summary>A payment's code: an access token with scope PIS:&lt;paymentId&gt;, no refresh token. The payment does not wait for it.</summary>
        private async Task<IResult> IssueForPaymentAsync(Guid familyId, string paymentId)
        {
            var (accessToken, expiresIn) = await tokens.IssuePaymentTokenAsync(
                familyId, paymentId, tppId, certificateThumbprint, _now + options.AccessTokenLifetime, _now, cancellationToken);
            return TypedResults.Ok(new TokenResponse(accessToken, "Bearer", expiresIn, RefreshToken: null, TokenStore.PaymentScope(paymentId)));
        }

        public async Task<IResult> RefreshTokenAsync()
        {
            var refreshToken = form["refresh_token"].ToString();
            if (refreshToken.Length == 0)
            {
                return Error("invalid_request", "refresh_token is required.");
            }

            var rotated = await tokens.RotateRefreshTokenAsync(refreshToken, _now, cancellationToken);
            if (rotated is null || rotated.TppId != tppId)
            {
                return Error("invalid_grant", "The refresh token is unknown.");
            }

            if (rotated.Reused)
            {
                return Error("invalid_grant", "The refresh token was already used; every token of this grant is revoked.");
            }

            if (rotated.Revoked || rotated.ExpiresAt <= _now)
            {
                return Error("invalid_grant", "The refresh token is revoked or expired.");
            }

            return await IssueForConsentAsync(rotated.FamilyId, rotated.ConsentId);
        }

        public async Task<IResult> DecoupledAsync(ScaService sca)
        {
            var authorisation = await consents.FindAuthorisationAsync(form["auth_req_id"].ToString(), cancellationToken);
            var consent = authorisation?.ConsentId is { } consentId ? await consents.FindAsync(consentId, tppId, cancellationToken) : null;
            if (authorisation is null || consent is null || authorisation.ScaApproach != ScaApproach.Decoupled)
            {
                return Error("invalid_grant", "auth_req_id is not a decoupled authorisation of this client.");
            }

            authorisation = await sca.PollAsync(authorisation, cancellationToken);
            return authorisation?.ScaStatus switch
            {
                ScaStatus.Failed => Error("access_denied", "The PSU did not approve."),
                ScaStatus.Finalised when await consents.TryMarkTokensIssuedAsync(authorisation.AuthorisationId, cancellationToken) =>
                    await IssueForConsentAsync(Guid.NewGuid(), consent.ConsentId),
                ScaStatus.Finalised => Error("invalid_grant", "Tokens for this approval were already issued."),
                null => Error("slow_down", "Poll less often."),
                _ => Error("authorization_pending", "The PSU has not answered yet."),
            };
        }

        private async Task<IResult> IssueForConsentAsync(Guid familyId, string consentId)
        {
            var consent = await consents.FindAsync(consentId, tppId, cancellationToken);
            if (consent is null || consent.UsableOn(clock.Today) is not null)
            {
                return Error("invalid_grant", "The consent is no longer valid.");
            }

            // Refresh tokens live as long as the consent: to the end of its last valid bank day, or to the instant a
            // UK consent expires.
            var refreshExpiresAt = consent.UkTerms?.ExpirationDateTime ?? clock.StartOf(consent.ValidUntil.AddDays(1));
            if (refreshExpiresAt <= _now)
            {
                return Error("invalid_grant", "The consent is no longer valid.");
            }

            var accessExpiresAt = _now + options.AccessTokenLifetime;
            var scope = consent.StetTerms is { } stet ? Stet.StetScopes.Granted(stet)
                : openBanking ? UkOpenBanking.Scopes.AuthorizationCode
                : TokenStore.Scope(consentId);
            var issued = await tokens.IssueAsync(familyId, consentId, tppId, scope, certificateThumbprint,
                accessExpiresAt < refreshExpiresAt ? accessExpiresAt : refreshExpiresAt, refreshExpiresAt, _now, cancellationToken);
            return TypedResults.Ok(new TokenResponse(issued.AccessToken, "Bearer", issued.ExpiresIn, issued.RefreshToken, issued.Scope));
        }
    }
}

/// <summary>PKCE (RFC 7636), S256 only.</summary>
public static class Pkce
{
    public static bool IsWellFormedVerifier(string verifier) =>
        verifier.Length is >= 43 and <= 128 && verifier.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_' or '~');

    public static bool IsWellFormedChallenge(string challenge) =>
        challenge.Length == 43 && challenge.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    public static bool Matches(string verifier, string challenge) =>
        CryptographicOperations.FixedTimeEquals(
            Encoding.ASCII.GetBytes(Base64Url.EncodeToString(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)))),
            Encoding.ASCII.GetBytes(challenge));
}

public sealed record TokenResponse(
    [property: JsonPropertyName("access_token")] string AccessToken,
    [property: JsonPropertyName("token_type")] string TokenType,
    [property: JsonPropertyName("expires_in")] int ExpiresIn,
    [property: JsonPropertyName("refresh_token")] string? RefreshToken,
    [property: JsonPropertyName("scope")] string Scope);

public sealed record OAuthError(
    [property: JsonPropertyName("error")] string Error,
    [property: JsonPropertyName("error_description")] string ErrorDescription);
