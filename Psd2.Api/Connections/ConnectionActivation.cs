using Microsoft.EntityFrameworkCore;
using Psd2.Core.Accounts;
using Psd2.Core.Audit;
using Psd2.Core.Connections;
using Psd2.Core.Connectors;
using Psd2.Core.Events;
using Psd2.Core.Persistence;
using Psd2.Core.Security;

namespace Psd2.Api.Connections;

/// <summary>
/// A connection whose consent the user has authorised, through either flow: tokens stored encrypted, the user's
/// accounts listed and linked under their stable ids, and a renewed connection retired with it, its consent terminated.
/// </summary>
public sealed class ConnectionActivation(Psd2DbContext db, TokenProtector protector, TimeProvider time, ILogger<ConnectionActivation> logger)
{
    /// <param name="psuIpAddress">The user's address when present (the redirect callback), so listing accounts uses none of the daily budget.</param>
    public async Task ActivateAsync(
        Connection connection, IBankConnector bank, BankTokens tokens, string? psuIpAddress, string? requestId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        connection.AccessTokenCipher = protector.Protect(tokens.AccessToken, connection.Id);
        connection.RefreshTokenCipher = protector.Protect(tokens.RefreshToken, connection.Id);
        connection.AccessTokenExpiresAt = now.AddSeconds(tokens.ExpiresIn);
        connection.ValidUntil = connection.RequestedValidUntil;
        connection.AuthorisedAt = now;
        connection.ConsentCheckedAt = now;
        connection.NextPollAt = null;
        connection.SetStatus(ConnectionStatus.Active, null, now);
        db.AuditEvents.Add(AuditEvent.Of(requestId, time, "connection.authorised", connection.ClientAppId, connection.UserId, connection.Id, new { connection.Flow }));
        db.AuditEvents.Add(AuditEvent.Of(requestId, time, "token.exchanged", connection.ClientAppId, connection.UserId, connection.Id));
        db.PlatformEvents.Add(ConnectionEvents.StatusChanged(time, connection));

        IReadOnlyList<ConnectorAccount> accounts = [];
        try
        {
            var session = new ConnectorSession(connection.BankConsentId!, tokens.AccessToken, psuIpAddress, requestId ?? connection.Id.ToString());
            accounts = await bank.GetAccountsAsync(session, cancellationToken);
            db.AuditEvents.Add(AuditEvent.Of(requestId, time, "data.read", connection.ClientAppId, connection.UserId, connection.Id, new { resource = "accounts", count = accounts.Count }));
        }
        catch (ConnectorException e)
        {
            // The consent is granted either way; the accounts come with the first sync.
            logger.LogWarning(e, "Listing the accounts of connection {ConnectionId} failed", connection.Id);
        }

        // The connection it renews is retired in the same transaction, so no reader ever sees both active and no crash
        // can leave the old one active without its accounts; its consent is terminated at the bank right after.
        var renewed = connection.RenewsConnectionId is { } renewedId
            ? await db.Connections.SingleOrDefaultAsync(c => c.Id == renewedId, cancellationToken)
            : null;
        // Its tokens are taken before it is retired: some standards end a consent only through them.
        var renewedConsent = renewed is null ? null : protector.ConsentOf(renewed);
        if (renewed is not null)
        {
            Retire(renewed, connection, requestId);
        }

        await using (var transaction = await db.Database.BeginTransactionAsync(cancellationToken))
        {
            await db.SaveChangesAsync(cancellationToken);
            await AccountLinks.LinkAsync(db, connection, accounts, now, logger, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }

        if (renewed is not null)
        {
            // Best effort: a consent the bank could not be told of ends there at its validUntil, and nothing uses it.
            await ConsentTermination.TryTerminateAsync(bank, renewed, renewedConsent!, logger, cancellationToken);
        }
    }

    /// <summary>The renewed connection: its tokens forgotten, pointing at its successor.</summary>
    private void Retire(Connection renewed, Connection successor, string? requestId)
    {
        renewed.ReplacedByConnectionId = successor.Id;
        renewed.AccessTokenCipher = null;
        renewed.RefreshTokenCipher = null;
        renewed.SetStatus(ConnectionStatus.Revoked, "renewed", time.GetUtcNow());
        db.AuditEvents.Add(AuditEvent.Of(requestId, time, "connection.renewed", renewed.ClientAppId, renewed.UserId, renewed.Id, new { replacedBy = successor.Id }));
        db.PlatformEvents.Add(ConnectionEvents.StatusChanged(time, renewed));
    }
}
