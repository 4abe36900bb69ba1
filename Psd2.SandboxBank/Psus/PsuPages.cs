using Microsoft.AspNetCore.Mvc;
using Psd2.SandboxBank.Consents;
using Psd2.SandboxBank.Data;
using Psd2.SandboxBank.Pages;
using Psd2.SandboxBank.Sca;
using Psd2.SandboxBank.Time;
using static Psd2.SandboxBank.Pages.PageResults;

namespace Psd2.SandboxBank.Psus;

/// <summary>
/// The PSU's side of the bank outside an SCA: the consents page (sign in with BankID, see and revoke consents) and
/// the simulated BankID app, where a tester answers decoupled orders by hand.
/// </summary>
public static class PsuPages
{
    public static void MapPsuPages(this IEndpointRouteBuilder app)
    {
        var psu = app.MapGroup("/psu").WithTags("PSU pages").ExcludeFromDescription();
        psu.MapGet("/consents", ConsentsAsync).WithName("PsuConsents");
        psu.MapPost("/signin", SignIn).WithName("PsuSignIn");
        psu.MapPost("/signin/confirm", ConfirmSignInAsync).WithName("PsuSignInConfirm");
        psu.MapPost("/consents/{consentId}/revoke", RevokeAsync).WithName("PsuRevokeConsent");

        var bankId = app.MapGroup("/bankid/app").WithTags("PSU pages").ExcludeFromDescription();
        bankId.MapGet("/", BankIdAppAsync).WithName("BankIdApp");
        bankId.MapPost("/decide", BankIdDecideAsync).WithName("BankIdDecide");
    }

    private static async Task<IResult> ConsentsAsync(HttpContext context, PsuSessions sessions, PsuDirectory psus, ConsentStore consents, BankClock clock)
    {
        var personalNumber = await sessions.PersonalNumberAsync(context);
        var psu = personalNumber is null ? null : await psus.FindAsync(personalNumber, context.RequestAborted);
        if (psu is null)
        {
            return Page<SignInPage>(new { Action = "/psu/signin", Intro = "Sign in to see and manage the consents you have given." });
        }

        var rows = (await consents.ListForPsuAsync(psu.PersonalNumber, context.RequestAborted))
            .Select(c => new PsuConsentsPage.PsuConsentRow(c.ConsentId, c.TppId, c.StatusOn(clock.Today), c.ValidUntil))
            .ToList();
        return Page<PsuConsentsPage>(new { PsuName = psu.Name, Consents = (IReadOnlyList<PsuConsentsPage.PsuConsentRow>)rows });
    }

    private static IResult SignIn([FromForm] string personalNumber) => Page<BankIdPage>(new
    {
        Action = "/psu/signin/confirm",
        PsuName = personalNumber.Trim(),
        What = "Sign in to Sandbox Bank?",
        Hidden = (IReadOnlyDictionary<string, string>)new Dictionary<string, string> { ["personalNumber"] = personalNumber.Trim() },
    });

    private static async Task<IResult> ConfirmSignInAsync([FromForm] string personalNumber, [FromForm] string decision, HttpContext context, PsuDirectory psus, PsuSessions sessions)
    {
        if (decision != "approve" || await psus.FindAsync(personalNumber, context.RequestAborted) is null)
        {
            return Message("Not signed in", "The sign-in was cancelled.", 400);
        }

        await sessions.StartAsync(context, personalNumber);
        return Results.Redirect("/psu/consents");
    }

    private static async Task<IResult> RevokeAsync(string consentId, HttpContext context, PsuSessions sessions, ConsentStore consents)
    {
        var personalNumber = await sessions.PersonalNumberAsync(context);
        var consent = await consents.FindAsync(consentId, context.RequestAborted);
        if (personalNumber is null || consent is null || consent.PsuId != personalNumber)
        {
            return Message("Not allowed", "Sign in as the PSU who gave this consent.", 403);
        }

        await consents.EndAsync(consentId, ConsentStatus.RevokedByPsu, context.RequestAborted);
        return Results.Redirect("/psu/consents");
    }

    private static async Task<IResult> BankIdAppAsync(string? personalNumber, HttpContext context, ConsentStore consents, Payments.PaymentStore payments, ScaService sca)
    {
        if (personalNumber is null || !PersonalNumber.IsValid(personalNumber))
        {
            return Page<SignInPage>(new { Action = "/bankid/app", Method = "get", Intro = "Open the BankID app of a test PSU." }, personalNumber is null ? 200 : 400);
        }

        var orders = new List<BankIdAppPage.BankIdOrder>();
        foreach (var authorisation in await consents.ListOpenDecoupledAsync(personalNumber, context.RequestAborted))
        {
            // Orders that timed out meanwhile drop off the list.
            var current = await sca.CatchUpAsync(authorisation, context.RequestAborted);
            if (current.ScaStatus != ScaStatus.Started)
            {
                continue;
            }

            if (current.ConsentId is { } consentId && await consents.FindAsync(consentId, context.RequestAborted) is { } consent)
            {
                orders.Add(new(current.AuthorisationId, consent.TppId, "asks to read your account information."));
            }
            else if (current.PaymentId is { } paymentId && await payments.FindAsync(paymentId, context.RequestAborted) is { } payment)
            {
                orders.Add(new(current.AuthorisationId, payment.TppId, Payments.PaymentAuthorization.Describe(payment)));
            }
        }

        return Page<BankIdAppPage>(new { PersonalNumber = personalNumber, Orders = (IReadOnlyList<BankIdAppPage.BankIdOrder>)orders });
    }

    private static async Task<IResult> BankIdDecideAsync(
        [FromForm] string authorisationId, [FromForm] string personalNumber, [FromForm] string decision, HttpContext context, ConsentStore consents, ScaService sca)
    {
        var authorisation = await consents.FindAuthorisationAsync(authorisationId, context.RequestAborted);
        if (authorisation is null || authorisation.PersonalNumber != personalNumber || authorisation.ScaStatus != ScaStatus.Started)
        {
            return Message("Request gone", "This BankID request is no longer waiting.", 400);
        }

        if (decision == "approve")
        {
            await sca.ApproveAsync(authorisation, personalNumber, context.RequestAborted);
        }
        else
        {
            await sca.RejectAsync(authorisation, context.RequestAborted);
        }

        return Results.Redirect("/bankid/app?personalNumber=" + Uri.EscapeDataString(personalNumber));
    }
}
