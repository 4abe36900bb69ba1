using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Psd2.Api.Banking;
using Psd2.Api.Institutions;
using Psd2.Core.Banking;
using Psd2.Core.Connections;
using Psd2.Core.Persistence;
using Psd2.Core.Security;

namespace Psd2.Api.Connections;

/// <summary>
/// Where the bank sends the end user's browser back: the state is taken once, the code exchanged over mutual TLS,
/// the tokens stored encrypted, and the browser sent on to the client app with the connection id and the outcome.
/// </summary>
public static class CallbackEndpoint
{
    public static void MapConnectCallback(this IEndpointRouteBuilder app) =>
        app.MapGet("/connect/callback", HandleAsync).WithTags("Connect").WithName("ConnectCallback").ExcludeFromDescription();

    private static async Task<IResult> HandleAsync(
        HttpContext context, AuthorizationStates states, Psd2DbContext db, IHttpClientFactory clients, IOptions<InstitutionOptions> institutions,
        TokenProtector protector, IOptions<ApiOptions> api, TimeProvider time)
    {
        var query = context.Request.Query;
        var pending = await states.TakeAsync(query["state"].ToString());
        var connection = pending is null ? null : await db.Connections.SingleOrDefaultAsync(c => c.Id == pending.ConnectionId, context.RequestAborted);
        if (pending is null || connection is null || connection.Status != ConnectionStatus.PendingAuthorisation)
        {
            return ApiProblems.Problem(StatusCodes.Status400BadRequest, "state_invalid", "This sign-in link has expired or was already used; start the connection again.");
        }

        var now = time.GetUtcNow();
        connection.UpdatedAt = now;
        if (query["error"].ToString() is { Length: > 0 } error)
        {
            connection.Status = error == "access_denied" ? ConnectionStatus.Rejected : ConnectionStatus.Failed;
            connection.StatusReason = error == "access_denied" ? "user_refused" : "bank_error:" + error[..Math.Min(error.Length, 50)];
        }
        else
        {
            try
            {
                var bank = clients.For(institutions.Value.Banks[connection.InstitutionId]);
                var tokens = await bank.ExchangeCodeAsync(pending.TokenEndpoint, query["code"].ToString(), pending.CodeVerifier, api.Value.CallbackUrl, context.RequestAborted);
                connection.AccessTokenCipher = protector.Protect(tokens.AccessToken, connection.Id);
                connection.RefreshTokenCipher = protector.Protect(tokens.RefreshToken, connection.Id);
                connection.AccessTokenExpiresAt = now.AddSeconds(tokens.ExpiresIn);
                connection.ValidUntil = connection.RequestedValidUntil;
                connection.Status = ConnectionStatus.Active;
                connection.StatusReason = null;
                connection.AuthorisedAt = now;
                db.AuditEvents.Add(AuditRecords.For(context, time, "connection.authorised", connection.ClientAppId, connection.UserId, connection.Id));
            }
            catch (Exception e) when (e is BankException or HttpRequestException or System.Text.Json.JsonException)
            {
                connection.Status = ConnectionStatus.Failed;
                connection.StatusReason = e is BankException bankError ? "token_exchange_failed:" + bankError.Code : "bank_unavailable";
            }
        }

        await db.SaveChangesAsync(context.RequestAborted);
        var outcome = connection.Status == ConnectionStatus.Active ? "active" : connection.Status;
        var target = connection.RedirectUri!;
        return Results.Redirect(target + (target.Contains('?', StringComparison.Ordinal) ? "&" : "?")
            + $"connectionId={connection.Id}&outcome={Uri.EscapeDataString(outcome)}");
    }
}
