using Npgsql;
using Psd2.SandboxBank.Infrastructure;

namespace Psd2.SandboxBank.OAuth;

public sealed record IssuedTokens(string AccessToken, string RefreshToken, int ExpiresIn, string Scope);

/// <param name="CertificateThumbprint">The SHA-256 of the certificate the token was issued over (RFC 8705); null for tokens issued before binding.</param>
public sealed record AccessTokenInfo(string ConsentId, string TppId, DateTimeOffset ExpiresAt, bool Revoked, byte[]? CertificateThumbprint);

/// <summary>A presented bearer token as the bank knows it: whose, for what, and the certificate it is bound to.</summary>
public sealed record PresentedToken(string Kind, string? ConsentId, string TppId, DateTimeOffset ExpiresAt, bool Revoked, byte[]? CertificateThumbprint)
{
    public const string ClientKind = "client";
    public const string AccessKind = "access";

    /// <summary>A payment's access token (scope PIS:&lt;paymentId&gt;): never a bearer for account reads.</summary>
    public const string PaymentKind = "payment";
}

/// <summary>
/// Authorization codes and tokens, stored only as hashes. Every token descends from one grant (its family); a
/// replayed code or a reused rotated refresh token revokes the whole family, as OAuth 2.0 Security BCP advises.
/// </summary>
public sealed class TokenStore(NpgsqlDataSource dataSource)
{
    public async Task<string> IssueCodeAsync(string consentId, string tppId, string redirectUri, string codeChallenge, DateTimeOffset expiresAt, CancellationToken cancellationToken)
    {
        var code = Secrets.NewToken();
        await using var command = dataSource.Command(
            "INSERT INTO authorization_codes (code_hash, consent_id, tpp_id, redirect_uri, code_challenge, family_id, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            Secrets.Hash(code), consentId, tppId, redirectUri, codeChallenge, Guid.NewGuid(), expiresAt);
        await command.ExecuteNonQueryAsync(cancellationToken);
        return code;
    }

    /// <summary>A code of a payment's redirect SCA (scope PIS:&lt;paymentId&gt;), redeemed like any other.</summary>
    public async Task<string> IssuePaymentCodeAsync(string paymentId, string tppId, string redirectUri, string codeChallenge, DateTimeOffset expiresAt, CancellationToken cancellationToken)
    {
        var code = Secrets.NewToken();
        await using var command = dataSource.Command(
            "INSERT INTO authorization_codes (code_hash, payment_id, tpp_id, redirect_uri, code_challenge, family_id, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            Secrets.Hash(code), paymentId, tppId, redirectUri, codeChallenge, Guid.NewGuid(), expiresAt);
        await command.ExecuteNonQueryAsync(cancellationToken);
        return code;
    }

    /// <summary>
    /// A payment's access token: no refresh token, and of its own kind, so it opens no account read. Bound to the
    /// certificate it was issued over (RFC 8705) like every other token.
    /// </summary>
    public async Task<(string AccessToken, int ExpiresIn)> IssuePaymentTokenAsync(
        Guid familyId, string paymentId, string tppId, byte[] certificateThumbprint, DateTimeOffset expiresAt, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var access = Secrets.NewToken();
        await using var command = dataSource.Command(
            "INSERT INTO tokens (token_hash, kind, family_id, payment_id, tpp_id, expires_at, certificate_thumbprint) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            Secrets.Hash(access), PresentedToken.PaymentKind, familyId, paymentId, tppId, expiresAt, certificateThumbprint);
        await command.ExecuteNonQueryAsync(cancellationToken);
        return (access, (int)Math.Round((expiresAt - now).TotalSeconds));
    }

    /// <summary>Uses a code once. A second use revokes everything issued from the first and answers null.</summary>
    public async Task<RedeemedCode?> RedeemCodeAsync(string code, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var command = dataSource.Command(
            """
            WITH target AS (SELECT code_hash, used_at AS previous FROM authorization_codes WHERE code_hash = $1 FOR UPDATE)
            UPDATE authorization_codes c SET used_at = COALESCE(c.used_at, $2)
            FROM target WHERE c.code_hash = target.code_hash
            RETURNING c.consent_id, c.tpp_id, c.redirect_uri, c.code_challenge, c.family_id, c.expires_at, target.previous, c.payment_id
            """,
            Secrets.Hash(code), now);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }

        var redeemed = new RedeemedCode(reader.GetStringOrNull(0), reader.GetString(1), reader.GetString(2), reader.GetString(3),
            reader.GetGuid(4), reader.GetFieldValue<DateTimeOffset>(5), AlreadyUsed: !reader.IsDBNull(6), PaymentId: reader.GetStringOrNull(7));
        await reader.DisposeAsync();
        if (redeemed.AlreadyUsed)
        {
            await RevokeFamilyAsync(redeemed.FamilyId, cancellationToken);
        }

        return redeemed;
    }

    /// <param name="certificateThumbprint">The SHA-256 of the TLS client certificate the tokens are issued over (RFC 8705).</param>
    public async Task<IssuedTokens> IssueAsync(
        Guid familyId, string consentId, string tppId, string scope, byte[]? certificateThumbprint,
        DateTimeOffset accessExpiresAt, DateTimeOffset refreshExpiresAt, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var access = Secrets.NewToken();
        var refresh = Secrets.NewToken();
        await using var batch = dataSource.CreateBatch();
        foreach (var (token, kind, expiresAt) in new[] { (access, PresentedToken.AccessKind, accessExpiresAt), (refresh, "refresh", refreshExpiresAt) })
        {
            batch.BatchCommands.Add(DbExtensions.BatchCommand(
                "INSERT INTO tokens (token_hash, kind, family_id, consent_id, tpp_id, expires_at, certificate_thumbprint) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                Secrets.Hash(token), kind, familyId, consentId, tppId, expiresAt, certificateThumbprint));
        }

        await batch.ExecuteNonQueryAsync(cancellationToken);
        return new IssuedTokens(access, refresh, (int)Math.Round((accessExpiresAt - now).TotalSeconds), scope);
    }

    /// <summary>A client-credentials access token: the TPP's own, for consent resources; no refresh token.</summary>
    public async Task<(string AccessToken, int ExpiresIn)> IssueClientTokenAsync(
        string tppId, byte[] certificateThumbprint, DateTimeOffset expiresAt, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var access = Secrets.NewToken();
        await using var command = dataSource.Command(
            "INSERT INTO tokens (token_hash, kind, family_id, consent_id, tpp_id, expires_at, certificate_thumbprint) VALUES ($1, $2, $3, NULL, $4, $5, $6)",
            Secrets.Hash(access), PresentedToken.ClientKind, Guid.NewGuid(), tppId, expiresAt, certificateThumbprint);
        await command.ExecuteNonQueryAsync(cancellationToken);
        return (access, (int)Math.Round((expiresAt - now).TotalSeconds));
    }

    /// <summary>An access token (of either kind) by its value; refresh tokens are not bearer tokens and are not found.</summary>
    public async Task<PresentedToken?> FindBearerAsync(string token, CancellationToken cancellationToken)
    {
        await using var command = dataSource.Command(
            "SELECT kind, consent_id, tpp_id, expires_at, revoked_at IS NOT NULL, certificate_thumbprint FROM tokens WHERE token_hash = $1 AND kind IN ('access', 'client')",
            Secrets.Hash(token));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? new PresentedToken(reader.GetString(0), reader.GetStringOrNull(1), reader.GetString(2), reader.GetFieldValue<DateTimeOffset>(3),
                reader.GetBoolean(4), reader.IsDBNull(5) ? null : reader.GetFieldValue<byte[]>(5))
            : null;
    }

    /// <summary>Rotates a refresh token: the old one is spent. Presenting a spent one again revokes the family.</summary>
    public async Task<RotatedRefreshToken?> RotateRefreshTokenAsync(string refreshToken, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var command = dataSource.Command(
            """
            WITH target AS (SELECT token_hash, rotated_at AS previous FROM tokens WHERE token_hash = $1 AND kind = 'refresh' FOR UPDATE)
            UPDATE tokens t SET rotated_at = COALESCE(t.rotated_at, $2)
            FROM target WHERE t.token_hash = target.token_hash
            RETURNING t.family_id, t.consent_id, t.tpp_id, t.expires_at, t.revoked_at IS NOT NULL, target.previous IS NOT NULL
            """,
            Secrets.Hash(refreshToken), now);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }

        var rotated = new RotatedRefreshToken(reader.GetGuid(0), reader.GetString(1), reader.GetString(2),
            reader.GetFieldValue<DateTimeOffset>(3), Revoked: reader.GetBoolean(4), Reused: reader.GetBoolean(5));
        await reader.DisposeAsync();
        if (rotated.Reused)
        {
            await RevokeFamilyAsync(rotated.FamilyId, cancellationToken);
        }

        return rotated;
    }

    /// <summary>Any token (access, refresh or client) by its value, for revocation (RFC 7009): whose, and its family and consent.</summary>
    public async Task<RevocableToken?> FindRevocableAsync(string token, CancellationToken cancellationToken)
    {
        await using var command = dataSource.Command(
            "SELECT family_id, consent_id, tpp_id FROM tokens WHERE token_hash = $1", Secrets.Hash(token));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? new RevocableToken(reader.GetGuid(0), reader.GetStringOrNull(1), reader.GetString(2))
            : null;
    }

    public async Task RevokeFamilyAsync(Guid familyId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.Command(
            "UPDATE tokens SET revoked_at = now() WHERE family_id = $1 AND revoked_at IS NULL", familyId);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public static string Scope(string consentId) => "AIS:" + consentId;

    public static string PaymentScope(string paymentId) => "PIS:" + paymentId;
}

/// <param name="ConsentId">The consent the code is for; null for a payment's code (<paramref name="PaymentId"/>).</param>
public sealed record RedeemedCode(
    string? ConsentId, string TppId, string RedirectUri, string CodeChallenge, Guid FamilyId, DateTimeOffset ExpiresAt, bool AlreadyUsed, string? PaymentId = null);

public sealed record RevocableToken(Guid FamilyId, string? ConsentId, string TppId);

public sealed record RotatedRefreshToken(Guid FamilyId, string ConsentId, string TppId, DateTimeOffset ExpiresAt, bool Revoked, bool Reused);
