using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Psd2.Api.Payments;
using Psd2.Core.Banking;
using Psd2.Core.Connectors;
using Psd2.Core.Payments;
using Psd2.Core.Persistence;

namespace Psd2.Api.Connect;

/// <summary>
/// The Connect page for a payment's authorisation. The link shows what is being paid; a redirect payment goes on to the
/// bank with a state of its own, whose callback brings the browser back to the session page rather than to the client
/// app; a decoupled one waits on the session page while the user approves in BankID. The session page ends with the
/// outcome and the way back to the client app.
/// </summary>
public static class PaymentPages
{
    /// <summary>Opens a payment's link (<paramref name="link"/> found, not taken).</summary>
    public static async Task<IResult> ShowAsync(
        string token, ConnectLink link, string clientAppName, HttpContext context, ConnectLinks links, ConnectSessions sessions, Psd2DbContext db,
        InstitutionOptions institutions)
    {
        var payment = await FindAsync(db, link, context.RequestAborted);
        if (payment is null)
        {
            return ConnectPages.PageGone();
        }

        if (payment.Status == PaymentStatus.PendingAuthorisation)
        {
            return Form(clientAppName, Summary(payment, institutions));
        }

        // Nothing to choose: the BankID order is on the user's phone already (or the payment has its outcome), so opening
        // the link uses it and the browser goes on to the page that follows the payment.
        return await links.TakeAsync(token) is { } taken
            ? await FollowAsync(context, sessions, ConnectSessions.NewToken(), payment, taken, authorisationUrl: null)
            : await ConnectPages.LinkGoneAsync(links, token);
    }

    /// <summary>"Continue to your bank" (<paramref name="link"/> taken): the bank's authorisation, whose callback returns to this link's session.</summary>
    public static async Task<IResult> StartAsync(
        string token, ConnectLink link, string clientAppName, HttpContext context, ConnectLinks links, ConnectSessions sessions, PaymentInitiation initiation,
        Psd2DbContext db, InstitutionOptions institutions)
    {
        var payment = await FindAsync(db, link, context.RequestAborted);
        if (payment is null)
        {
            return ConnectPages.PageGone();
        }

        var sessionToken = ConnectSessions.NewToken();
        string? authorisationUrl;
        try
        {
            // Null when the payment no longer waits for the bank: the session page shows its outcome.
            authorisationUrl = await initiation.AuthorisationUrlReturningToAsync(payment, ConnectSessions.PathFor(sessionToken), context.RequestAborted);
        }
        catch (ConnectorException)
        {
            await links.PutBackAsync(token, link);
            var summary = Summary(payment, institutions);
            return Form(clientAppName, summary, PaymentMessages.BankUnreachable(summary.BankName), StatusCodes.Status502BadGateway);
        }

        return await FollowAsync(context, sessions, sessionToken, payment, link, authorisationUrl);
    }

    /// <summary>The session page of a payment: waiting while the user approves, then the outcome and the way back; null when the payment is gone.</summary>
    public static async Task<IResult?> SessionAsync(ConnectSession session, Psd2DbContext db, InstitutionOptions institutions, CancellationToken cancellationToken)
    {
        var payment = await db.Payments.AsNoTracking().SingleOrDefaultAsync(p => p.Id == session.PaymentId, cancellationToken);
        if (payment is null)
        {
            return null;
        }

        var summary = Summary(payment, institutions);
        if (PaymentMessages.IsWaiting(payment))
        {
            var (title, message) = PaymentMessages.Waiting(payment, summary);
            return PageResults.Page<WaitingPage>(new { Title = title, Message = message, Payment = summary });
        }

        var clientAppName = await db.ClientApps.Where(a => a.Id == payment.ClientAppId).Select(a => a.Name).SingleAsync(cancellationToken);
        var outcome = PaymentMessages.Outcome(payment, summary, clientAppName);
        return PageResults.Page<ResultPage>(new
        {
            outcome.Title, outcome.Message, outcome.Succeeded, ClientAppName = clientAppName, Payment = summary,
            ReturnUrl = session.RedirectUri is { } target ? ConnectPages.ReturnUrl(target, "paymentId", payment.Id, payment.Status) : null,
        });
    }

    /// <summary>The link's payment, as long as it is still the link's client app's.</summary>
    private static Task<Payment?> FindAsync(Psd2DbContext db, ConnectLink link, CancellationToken cancellationToken) =>
        db.Payments.AsNoTracking().SingleOrDefaultAsync(p => p.Id == link.PaymentId && p.ClientAppId == link.ClientAppId, cancellationToken);

    /// <summary>Saves the session that follows the payment and sends the browser to the bank, or else to the session page.</summary>
    private static async Task<IResult> FollowAsync(
        HttpContext context, ConnectSessions sessions, string sessionToken, Payment payment, ConnectLink link, string? authorisationUrl)
    {
        await sessions.SaveAsync(sessionToken, new ConnectSession(ConnectionId: null, payment.Id, link.RedirectUri));
        context.Response.Headers.Location = authorisationUrl ?? ConnectSessions.PathFor(sessionToken);
        return Results.StatusCode(StatusCodes.Status303SeeOther);
    }

    private static PaymentDetails.Summary Summary(Payment payment, InstitutionOptions institutions) =>
        PaymentDetails.Summary.Of(payment, institutions.Banks.TryGetValue(payment.InstitutionId, out var bank) ? bank.Name : payment.InstitutionId);

    private static RazorComponentResult Form(string clientAppName, PaymentDetails.Summary summary, string? error = null, int status = StatusCodes.Status200OK) =>
        PageResults.Page<PaymentPage>(new { ClientAppName = clientAppName, Payment = summary, Error = error }, status);
}
