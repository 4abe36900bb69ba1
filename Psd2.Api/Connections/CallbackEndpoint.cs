using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Psd2.Core.Audit;
using Psd2.Core.Banking;
using Psd2.Core.Connections;
using Psd2.Core.Connectors;
using Psd2.Core.Events;
using Psd2.Core.Persistence;
using Psd2.ServiceDefaults.RequestIds;

namespace Psd2.Api.Connections;

/// <summary>
/// Where the bank sends the end user's browser back: the state is taken once, the code exchanged over mutual TLS,
/// the connection activated, and the browser sent on to the client app with the connection id and the outcome
/// (or to the Connect page's result page when the connection started there).
/// </summary>
public static class CallbackEndpoint
{
    public static void MapConnectCallback(this IEndpointRouteBuilder app) =>
        app.MapGet("/connect/callback", HandleAsync).WithTags("Connect").WithName("ConnectCallback").ExcludeFromDescription();

    private static async Task<IResult> HandleAsync(
        HttpContext context, AuthorizationStates states, Psd2DbContext db, BankClients banks,
        ConnectionActivation activation, IOptions<ApiOptions> api, TimeProvider time, ILogger<ConnectionActivation> logger)
    {
        var query = context.Request.Query;
        var pending = await states.TakeAsync(query["state"].ToString());
        var connection = pending is null ? null : await db.Connections.SingleOrDefaultAsync(c => c.Id == pending.ConnectionId, context.RequestAborted);
        if (pending is null || connection is null || connection.Status != ConnectionStatus.PendingAuthorisation)
        {
            return ApiProblems.BadRequest("state_invalid", "This sign-in link has expired or was already used; start the connection again.");
        }

        var now = time.GetUtcNow();
        if (query["error"].ToString() is { Length: > 0 } error)
        {
            var refused = error == "access_denied";
            connection.SetStatus(refused ? ConnectionStatus.Rejected : ConnectionStatus.Failed,
                refused ? "user_refused" : "bank_error", now);
            db.AuditEvents.Add(AuditEvent.Of(context.RequestId(), time, "connection." + connection.Status, connection.ClientAppId, connection.UserId, connection.Id));
            db.PlatformEvents.Add(ConnectionEvents.StatusChanged(time, connection));
            await db.SaveChangesAsync(context.RequestAborted);
        }
        else
        {
            var bank = banks.Connector(connection.InstitutionId);
            try
            {
                var tokens = await bank.ExchangeCodeAsync(
                    connection.BankConsentId!, pending.TokenEndpoint, query["code"].ToString(), pending.CodeVerifier, api.Value.CallbackUrl, context.RequestAborted);
                await activation.ActivateAsync(connection, bank, tokens, context.Connection.RemoteIpAddress?.ToString(), context.RequestId(), context.RequestAborted);
            }
            catch (ConnectorException e)
            {
                logger.LogWarning(e, "Exchanging the code of connection {ConnectionId} failed", connection.Id);
                connection.SetStatus(ConnectionStatus.Failed, "token_exchange_failed", time.GetUtcNow());
                db.AuditEvents.Add(AuditEvent.Of(context.RequestId(), time, "connection.failed", connection.ClientAppId, connection.UserId, connection.Id));
                db.PlatformEvents.Add(ConnectionEvents.StatusChanged(time, connection));
                await db.SaveChangesAsync(context.RequestAborted);
            }
        }

        if (pending.ReturnTo is { } returnTo)
        {
            return Results.Redirect(returnTo);
        }

        var target = connection.RedirectUri!;
        return Results.Redirect(target + (target.Contains('?', StringComparison.Ordinal) ? "&" : "?")
            + $"connectionId={connection.Id}&outcome={Uri.EscapeDataString(connection.Status)}");
    }
}
