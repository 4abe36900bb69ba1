using Microsoft.EntityFrameworkCore;
using Psd2.Core.Audit;
using Psd2.Core.Banking;
using Psd2.Core.Connections;
using Psd2.Core.Connectors;
using Psd2.Core.Persistence;
using Psd2.Core.Security;

namespace Psd2.Core.Sync;

/// <summary>A connection's bank tokens: decrypted only for the call that needs them, refreshed (and rotated) when the bank says so.</summary>
public sealed class ConnectionTokens(Psd2DbContext db, BankClients banks, TokenProtector protector, TimeProvider time)
{
    public ConnectorSession Session(Connection connection, string? psuIpAddress, string platformRequestId) => new(
        connection.BankConsentId ?? throw new InvalidOperationException("The connection holds no consent."),
        protector.Unprotect(connection.AccessTokenCipher ?? throw new ConnectorException(ConnectorFailure.ConsentInvalid, "no_token", "The connection holds no token."), connection.Id),
        psuIpAddress, platformRequestId);

    /// <summary>
    /// Exchanges the refresh token for new tokens and stores both encrypted. A refusal means the user must
    /// authenticate again: it surfaces as <see cref="ConnectorFailure.ConsentInvalid"/>. The connection's row is
    /// locked for the exchange: refresh tokens rotate and the bank revokes the whole family when a used one comes
    /// back, so when another process (a user-present sync in the api, the worker) rotated them meanwhile, its live
    /// tokens are taken instead of refreshing again.
    /// </summary>
    public async Task<ConnectorSession> RefreshAsync(Connection connection, ConnectorSession session, CancellationToken cancellationToken)
    {
        await using var transaction = db.Database.CurrentTransaction is null ? await db.Database.BeginTransactionAsync(cancellationToken) : null;
        var stored = (await db.Database.SqlQuery<StoredTokens>($"""
            SELECT access_token_cipher AS "AccessTokenCipher", refresh_token_cipher AS "RefreshTokenCipher", access_token_expires_at AS "AccessTokenExpiresAt"
            FROM connections WHERE id = {connection.Id} FOR UPDATE
            """).ToListAsync(cancellationToken)).Single();
        if (stored.RefreshTokenCipher is not null && connection.RefreshTokenCipher is not null
            && !stored.RefreshTokenCipher.AsSpan().SequenceEqual(connection.RefreshTokenCipher))
        {
            connection.AccessTokenCipher = stored.AccessTokenCipher;
            connection.RefreshTokenCipher = stored.RefreshTokenCipher;
            connection.AccessTokenExpiresAt = stored.AccessTokenExpiresAt;
            if (stored.AccessTokenCipher is not null && stored.AccessTokenExpiresAt > time.GetUtcNow())
            {
                db.Entry(connection).Properties.Where(p => p.Metadata.Name is nameof(Connection.AccessTokenCipher) or nameof(Connection.RefreshTokenCipher)
                    or nameof(Connection.AccessTokenExpiresAt)).ToList().ForEach(p => p.IsModified = false);
                if (transaction is not null)
                {
                    await transaction.CommitAsync(cancellationToken);
                }

                return session with { AccessToken = protector.Unprotect(stored.AccessTokenCipher, connection.Id) };
            }
        }

        var refreshToken = protector.Unprotect(
            connection.RefreshTokenCipher ?? throw new ConnectorException(ConnectorFailure.ConsentInvalid, "no_token", "The connection holds no refresh token."), connection.Id);
        BankTokens tokens;
        try
        {
            tokens = await banks.Connector(connection.InstitutionId).RefreshTokensAsync(connection.BankConsentId!, refreshToken, cancellationToken);
        }
        catch (ConnectorException e) when (!e.IsTransient)
        {
            throw new ConnectorException(ConnectorFailure.ConsentInvalid, e.BankCode, "The bank refused to refresh the tokens.", inner: e);
        }

        connection.AccessTokenCipher = protector.Protect(tokens.AccessToken, connection.Id);
        connection.RefreshTokenCipher = protector.Protect(tokens.RefreshToken, connection.Id);
        connection.AccessTokenExpiresAt = time.GetUtcNow().AddSeconds(tokens.ExpiresIn);
        connection.UpdatedAt = time.GetUtcNow();
        db.AuditEvents.Add(AuditEvent.Of(session.PlatformRequestId, time, "token.refreshed", connection.ClientAppId, connection.UserId, connection.Id));
        await db.SaveChangesAsync(cancellationToken);
        if (transaction is not null)
        {
            await transaction.CommitAsync(cancellationToken);
        }

        return session with { AccessToken = tokens.AccessToken };
    }

    private sealed record StoredTokens(byte[]? AccessTokenCipher, byte[]? RefreshTokenCipher, DateTimeOffset? AccessTokenExpiresAt);
}
