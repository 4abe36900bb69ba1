using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Psd2.Api.Connections;
using Psd2.Api.Payments;
using Psd2.Core.Banking;
using Psd2.Core.Connections;
using Psd2.Core.Persistence;
using Psd2.ServiceDefaults.RequestIds;

namespace Psd2.Api.Connect;

/// <summary>
/// The hosted Connect page: a connect link opens a form (bank, sign-in method), the form starts the connection for
/// the link's own user and client app, and a session page follows it to its outcome and back to the client app.
/// A payment's link opens the payment's pages instead (<see cref="PaymentPages"/>). Server-rendered HTML that works
/// without JavaScript.
/// </summary>
public static class ConnectPages
{
    public static void MapConnectPages(this IEndpointRouteBuilder app)
    {
        var pages = app.MapGroup("/connect").WithTags("Connect").ExcludeFromDescription().AddEndpointFilter(PageHeaders);
        pages.MapGet("/{token}", ShowAsync).WithName("ConnectPage");
        pages.MapPost("/{token}", StartAsync).WithName("ConnectPageStart");
        pages.MapGet("/sessions/{sessionToken}", SessionAsync).WithName("ConnectSession");
    }

    private static async Task<IResult> ShowAsync(
        string token, HttpContext context, ConnectLinks links, ConnectSessions sessions, Psd2DbContext db, IOptions<InstitutionOptions> institutions)
    {
        var link = await links.FindAsync(token);
        var clientAppName = link is null ? null : await ClientAppNameAsync(db, link, context.RequestAborted);
        if (link is null || clientAppName is null)
        {
            return await LinkGoneAsync(links, token);
        }

        if (link.PaymentId is not null)
        {
            return await PaymentPages.ShowAsync(token, link, clientAppName, context, links, sessions, db, institutions.Value);
        }

        var banks = institutions.Value.Banks;
        return Form(clientAppName, link, institutions.Value, banks.Count == 1 ? banks.Keys.Single() : null, ConnectionFlow.Redirect, null);
    }

    private static async Task<IResult> StartAsync(
        string token, [FromForm] string? institutionId, [FromForm] string? flow, [FromForm] string? personalNumber,
        HttpContext context, ConnectLinks links, ConnectSessions sessions, ConnectionStarter starter, PaymentInitiation payments, Psd2DbContext db,
        IOptions<InstitutionOptions> institutions)
    {
        var link = await links.TakeAsync(token);
        var clientAppName = link is null ? null : await ClientAppNameAsync(db, link, context.RequestAborted);
        if (link is null || clientAppName is null)
        {
            return await LinkGoneAsync(links, token);
        }

        if (link.PaymentId is not null)
        {
            return await PaymentPages.StartAsync(token, link, clientAppName, context, links, sessions, payments, db, institutions.Value);
        }

        var bankName = institutionId is not null && institutions.Value.Banks.TryGetValue(institutionId, out var bank) ? bank.Name : null;
        var psuId = flow == ConnectionFlow.Decoupled ? PersonalNumber(personalNumber) : null;
        if (flow == ConnectionFlow.Decoupled && psuId is null)
        {
            await links.PutBackAsync(token, link);
            return Form(clientAppName, link, institutions.Value, institutionId, flow, personalNumber, ConnectMessages.PersonalNumberNeeded,
                personalNumberInvalid: true, status: StatusCodes.Status400BadRequest);
        }

        // The link decides who is connected, for which app and where the browser ends; the form only picks bank and method.
        var sessionToken = ConnectSessions.NewToken();
        var request = new ConnectionRequest(institutionId, flow, link.RedirectUri, psuId, link.ValidDays, link.FrequencyPerDay, link.Access);
        var (started, error) = await starter.StartAsync(
            link.ClientAppId, link.UserId, request, context.RequestId(), context.RequestAborted, returnTo: ConnectSessions.PathFor(sessionToken));
        if (started is null)
        {
            await links.PutBackAsync(token, link);
            return Form(clientAppName, link, institutions.Value, institutionId, flow, personalNumber, ConnectMessages.Refusal(error!, bankName),
                personalNumberInvalid: error!.Field == "psuId", status: error.Status);
        }

        await sessions.SaveAsync(sessionToken, new ConnectSession(started.Connection.Id));
        context.Response.Headers.Location = started.AuthorisationUrl ?? ConnectSessions.PathFor(sessionToken);
        return Results.StatusCode(StatusCodes.Status303SeeOther);
    }

    private static async Task<IResult> SessionAsync(string sessionToken, HttpContext context, ConnectSessions sessions, Psd2DbContext db, IOptions<InstitutionOptions> institutions)
    {
        var session = await sessions.FindAsync(sessionToken);
        if (session?.PaymentId is not null)
        {
            return await PaymentPages.SessionAsync(session, db, institutions.Value, context.RequestAborted) ?? PageGone();
        }

        var connection = session?.ConnectionId is { } connectionId
            ? await db.Connections.AsNoTracking().SingleOrDefaultAsync(c => c.Id == connectionId, context.RequestAborted)
            : null;
        if (connection is null)
        {
            return PageGone();
        }

        var clientAppName = await db.ClientApps.Where(a => a.Id == connection.ClientAppId).Select(a => a.Name).SingleAsync(context.RequestAborted);
        var bankName = institutions.Value.Banks.TryGetValue(connection.InstitutionId, out var bank) ? bank.Name : connection.InstitutionId;
        if (connection.Status is ConnectionStatus.PendingAuthorisation or ConnectionStatus.AwaitingDecoupledAuthorisation)
        {
            var (title, message) = ConnectMessages.Waiting(connection, clientAppName, bankName);
            return PageResults.Page<WaitingPage>(new { Title = title, Message = message });
        }

        var outcome = ConnectMessages.Outcome(connection, clientAppName, bankName);
        return PageResults.Page<ResultPage>(new
        {
            outcome.Title, outcome.Message, outcome.Succeeded, ClientAppName = clientAppName, ReturnUrl = ReturnUrl(connection),
        });
    }

    /// <summary>The link's client app, while it is enabled and the link's user is still one of its users.</summary>
    private static Task<string?> ClientAppNameAsync(Psd2DbContext db, ConnectLink link, CancellationToken cancellationToken) =>
        db.ClientApps.AsNoTracking()
            .Where(a => a.Id == link.ClientAppId && a.DisabledAt == null && db.Users.Any(u => u.Id == link.UserId && u.ClientAppId == a.Id))
            .Select(a => a.Name).SingleOrDefaultAsync(cancellationToken);

    internal static async Task<IResult> LinkGoneAsync(ConnectLinks links, string token) => await links.WasUsedAsync(token)
        ? PageResults.Notice(ConnectMessages.LinkGoneTitle, ConnectMessages.LinkUsed, StatusCodes.Status410Gone)
        : PageResults.Notice(ConnectMessages.LinkGoneTitle, ConnectMessages.LinkUnknown, StatusCodes.Status404NotFound);

    internal static IResult PageGone() =>
        PageResults.Notice("Page not found", "This page is no longer available. Go back to the service you came from and start again.", StatusCodes.Status404NotFound);

    private static RazorComponentResult Form(
        string clientAppName, ConnectLink link, InstitutionOptions institutions, string? institutionId, string? flow, string? personalNumber,
        string? error = null, bool personalNumberInvalid = false, int status = StatusCodes.Status200OK) =>
        PageResults.Page<ConnectPage>(new
        {
            ClientAppName = clientAppName,
            Reading = ConnectMessages.Reading(link.Access),
            Institutions = (IReadOnlyList<ConnectPage.InstitutionChoice>)institutions.Banks.Select(b => new ConnectPage.InstitutionChoice(b.Key, b.Value.Name, b.Value.ScaApproaches.Contains(ConnectionFlow.Decoupled))).ToList(),
            InstitutionId = institutionId,
            Flow = flow,
            PersonalNumber = personalNumber,
            Error = error,
            PersonalNumberInvalid = personalNumberInvalid,
        }, status);

    /// <summary>A Swedish personal number as BankID knows it, 12 digits, from what the user typed (spaces and a hyphen allowed).</summary>
    private static string? PersonalNumber(string? typed)
    {
        var digits = typed?.Replace(" ", "", StringComparison.Ordinal).Replace("-", "", StringComparison.Ordinal);
        return digits is { Length: 12 } && digits.All(char.IsAsciiDigit) ? digits : null;
    }

    private static string? ReturnUrl(Connection connection) =>
        connection.RedirectUri is { } target ? ReturnUrl(target, "connectionId", connection.Id, connection.Status) : null;

    /// <summary>Where the client app gets its user back, in the same form the bank callbacks use.</summary>
    internal static string ReturnUrl(string target, string idName, Guid id, string status) =>
        target + (target.Contains('?', StringComparison.Ordinal) ? "&" : "?") + $"{idName}={id}&outcome={Uri.EscapeDataString(status)}";

    /// <summary>The pages carry tokens in their address: never cached, never sent on as a referrer, never framed.</summary>
    private static async ValueTask<object?> PageHeaders(EndpointFilterInvocationContext invocation, EndpointFilterDelegate next)
    {
        var headers = invocation.HttpContext.Response.Headers;
        headers.CacheControl = "no-store";
        headers["Referrer-Policy"] = "no-referrer";
        headers.XFrameOptions = "DENY";
        headers.ContentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'";
        return await next(invocation);
    }
}
