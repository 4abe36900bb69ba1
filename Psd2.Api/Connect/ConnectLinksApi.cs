using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Psd2.Api.ClientApps;
using Psd2.Core.Banking;
using Psd2.Core.ClientApps;
using Psd2.Core.Connections;
using Psd2.Core.Payments;
using Psd2.Core.Persistence;

namespace Psd2.Api.Connect;

public sealed record CreateConnectLinkRequest(string? RedirectUri, int? ValidDays = null, int? FrequencyPerDay = null, List<string>? Access = null);

/// <param name="Url">The hosted Connect page to send the user's browser to; it works once, until <paramref name="ExpiresAt"/>.</param>
public sealed record ConnectLinkResponse(string Url, DateTimeOffset ExpiresAt);

/// <param name="RedirectUri">Where the result page leads back to: one of the client app's registered redirect URIs. A redirect payment's own by default; required for a decoupled payment.</param>
public sealed record CreatePaymentConnectLinkRequest(string? RedirectUri = null);

/// <summary>Connect links: a client app hands its user a link to the hosted Connect page instead of building its own bank picker or payment screens.</summary>
public static class ConnectLinksApi
{
    public static void MapConnectLinksApi(this RouteGroupBuilder v1)
    {
        v1.MapPost("/users/{userId:guid}/connect-links", CreateAsync).WithTags("Connect").WithName("CreateConnectLink")
            .WithSummary("A single-use link, valid for 15 minutes, to the hosted Connect page where the user picks a bank and signs in; the browser ends at redirectUri.");
        v1.MapPost("/payments/{paymentId:guid}/connect-link", CreateForPaymentAsync).WithTags("Payments").WithName("CreatePaymentConnectLink")
            .WithSummary("A single-use link, valid for 15 minutes, to the hosted Connect page where the user sees the payment and authorises it at the bank; the browser ends at redirectUri.");
    }

    private static async Task<Results<Created<ConnectLinkResponse>, ApiProblem<NotFound404>, ApiProblem<BadRequest400>>> CreateAsync(
        Guid userId, CreateConnectLinkRequest request, Caller caller, Psd2DbContext db, ConnectLinks links,
        IOptions<InstitutionOptions> institutions, IOptions<ApiOptions> api, TimeProvider time, CancellationToken cancellationToken)
    {
        var clientAppId = caller.ClientAppId;
        if (!await db.Users.OwnedBy(clientAppId).AnyAsync(u => u.Id == userId, cancellationToken))
        {
            return ApiProblems.NotFound("user");
        }

        if (request.RedirectUri is not { } redirectUri || !await db.IsRegisteredAsync(clientAppId, redirectUri, cancellationToken))
        {
            return new ApiProblem<BadRequest400>(RegisteredRedirectUris.NotAllowed);
        }

        var maxDays = institutions.Value.Banks.Values.Max(b => b.MaxConsentDays);
        if (request.ValidDays is < 1 || request.ValidDays > maxDays)
        {
            return ApiProblems.Invalid("validDays", $"Between 1 and {maxDays}; a bank with a shorter maximum refuses more than its own.");
        }

        if (request.FrequencyPerDay is < 1 or > 4)
        {
            return ApiProblems.Invalid("frequencyPerDay", "Between 1 and 4.");
        }

        var access = ConnectionAccess.Normalise(request.Access);
        if (access is null)
        {
            return ApiProblems.Invalid("access", "One of [accounts], [accounts, balances] or [accounts, balances, transactions].");
        }

        var (token, link) = await links.CreateAsync(clientAppId, userId, redirectUri, request.ValidDays, request.FrequencyPerDay, access);
        db.AuditEvents.Add(AuditRecords.For(caller, time, "connect_link.created", userId, details: new { link.ExpiresAt }));
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Created((string?)null, Response(api.Value, token, link));
    }

    private static async Task<Results<Created<ConnectLinkResponse>, ApiProblem<NotFound404>, ApiProblem<Conflict409>, ApiProblem<BadRequest400>>> CreateForPaymentAsync(
        Guid paymentId, CreatePaymentConnectLinkRequest? request, Caller caller, Psd2DbContext db, ConnectLinks links,
        IOptions<ApiOptions> api, TimeProvider time, CancellationToken cancellationToken)
    {
        var payment = await db.Payments.AsNoTracking().OwnedBy(caller.ClientAppId).SingleOrDefaultAsync(p => p.Id == paymentId, cancellationToken);
        if (payment is null)
        {
            return ApiProblems.NotFound("payment");
        }

        if (payment.Status is not (PaymentStatus.PendingAuthorisation or PaymentStatus.AwaitingDecoupledAuthorisation))
        {
            return ApiProblems.Conflict("payment_not_awaiting_authorisation",
                "Only a payment waiting for the user (pending_authorisation or awaiting_decoupled_authorisation) can be authorised through the Connect page.");
        }

        if ((request?.RedirectUri ?? payment.RedirectUri) is not { } redirectUri || !await db.IsRegisteredAsync(caller.ClientAppId, redirectUri, cancellationToken))
        {
            return new ApiProblem<BadRequest400>(RegisteredRedirectUris.NotAllowed);
        }

        var (token, link) = await links.CreateAsync(
            caller.ClientAppId, payment.UserId, redirectUri, validDays: null, frequencyPerDay: null, access: [], paymentId: payment.Id);
        db.AuditEvents.Add(AuditRecords.For(caller, time, "connect_link.created", payment.UserId, details: new { link.ExpiresAt, paymentId = payment.Id }));
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Created((string?)null, Response(api.Value, token, link));
    }

    private static ConnectLinkResponse Response(ApiOptions api, string token, ConnectLink link) =>
        new($"{api.PublicBaseUrl.TrimEnd('/')}/connect/{token}", link.ExpiresAt);
}
