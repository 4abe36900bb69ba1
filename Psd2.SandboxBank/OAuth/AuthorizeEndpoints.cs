using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Psd2.SandboxBank.Consents;
using Psd2.SandboxBank.Data;
using Psd2.SandboxBank.Infrastructure;
using Psd2.SandboxBank.Pages;
using Psd2.SandboxBank.Payments;
using Psd2.SandboxBank.Psus;
using Psd2.SandboxBank.Sca;
using Psd2.SandboxBank.Stet;
using Psd2.SandboxBank.Time;
using Psd2.SandboxBank.UkOpenBanking;
using static Psd2.SandboxBank.Pages.PageResults;

namespace Psd2.SandboxBank.OAuth;

/// <summary>
/// The redirect SCA: /oauth2/authorize checks the OAuth request against the consent (Berlin Group: query parameters;
/// UK Open Banking: a signed request object, see <see cref="RequestObjects"/>; STET: query parameters, the consent
/// created by the request itself, see <see cref="StetAuthorizations"/>), then the PSU signs in with
/// BankID (personal number, then the BankID app step) and approves or refuses; the browser goes back to the TPP's
/// redirect_uri with a single-use code or an error, and the state it came with.
/// </summary>
public static class AuthorizeEndpoints
{
    private const string IdentifyPath = "/oauth2/authorize/identify";
    private const string DecidePath = "/oauth2/authorize/decide";

    public static void MapAuthorizeEndpoints(this IEndpointRouteBuilder app)
    {
        var oauth = app.MapGroup("/oauth2/authorize").WithTags("OAuth").ExcludeFromDescription();
        oauth.MapGet("/", AuthorizeAsync).WithName("Authorize");
        oauth.MapPost("/identify", IdentifyAsync).WithName("AuthorizeIdentify");
        oauth.MapPost("/decide", DecideAsync).WithName("AuthorizeDecide");
    }

    private static async Task<IResult> AuthorizeAsync(
        HttpRequest request, ConsentStore consents, LoginStore logins, RequestObjects requestObjects, StetAuthorizations stetAuthorizations,
        PaymentAuthorization payments, BankClock clock, IOptionsMonitor<BankOptions> options)
    {
        var cancellationToken = request.HttpContext.RequestAborted;
        if (options.CurrentValue.Standard == BankStandard.BerlinGroup && PaymentAuthorization.IsPaymentScope(request.Query["scope"].ToString()))
        {
            return await payments.AuthorizeAsync(request);
        }

        var (authorization, error) = options.CurrentValue.Standard switch
        {
            BankStandard.UkOpenBanking => await requestObjects.ReadAsync(request),
            BankStandard.Stet => await stetAuthorizations.ReadAsync(request),
            _ => await ReadBerlinGroupRequestAsync(request, consents),
        };
        if (error is not null)
        {
            return error;
        }

        var (consent, redirectUri, state, challenge) = authorization!;
        if (consent.StatusOn(clock.Today) != ConsentStatus.Received)
        {
            return Results.Redirect(Callback(redirectUri, ("error", "invalid_request"), ("error_description", "the consent is not awaiting authorisation"), ("state", state)));
        }

        var authorisation = (await consents.ListAuthorisationsAsync(consent.ConsentId, cancellationToken))
            .LastOrDefault(a => a.ScaApproach == ScaApproach.Redirect && !ScaStatus.IsFinal(a.ScaStatus));
        if (authorisation is null)
        {
            authorisation = new Authorisation(Secrets.NewId(), consent.ConsentId, ScaApproach.Redirect, ScaStatus.Received, null, clock.GetUtcNow(), null, null, false);
            await consents.AddAuthorisationAsync(authorisation, cancellationToken);
        }

        var login = new Login(Secrets.NewId(), authorisation.AuthorisationId, consent.TppId, redirectUri, state, challenge, null,
            clock.GetUtcNow() + options.CurrentValue.LoginLifetime);
        await logins.AddAsync(login, cancellationToken);
        return Page<SignInPage>(new { Action = IdentifyPath, login.LoginId, Intro = IntroFor(consent), PersonalNumber = consent.PsuId });
    }

    /// <summary>Berlin Group: the OAuth request in plain query parameters, naming the consent as scope AIS:&lt;consentId&gt;.</summary>
    private static async Task<(AuthorizationRequest?, IResult?)> ReadBerlinGroupRequestAsync(HttpRequest request, ConsentStore consents)
    {
        var query = request.Query;
        string Single(string name) => query[name] is { Count: 1 } value ? value.ToString() : "";

        // Until client_id and redirect_uri are proven to belong to the consent, errors stay on the bank's page:
        // redirecting to an unchecked URI would make the bank an open redirector.
        var scope = Single("scope");
        var consent = scope.StartsWith("AIS:", StringComparison.Ordinal) && scope.Length <= 100
            ? await consents.FindAsync(scope[4..], Single("client_id"), request.HttpContext.RequestAborted)
            : null;
        if (consent is null)
        {
            return (null, Message("Request not valid", "The request names no consent of this client (scope AIS:<consentId>, client_id).", 400));
        }

        var (redirectUri, state, challenge, error) = ReadRedirectParameters(request.Query, consent.RedirectUri, "consent");
        return error is null ? (new AuthorizationRequest(consent, redirectUri, state, challenge), null) : (null, error);
    }

    /// <summary>
    /// The OAuth parameters of a Berlin Group authorisation request once its resource is found: redirect_uri must be
    /// the TPP-Redirect-URI the resource (<paramref name="resource"/>: consent or payment) was made with, then state,
    /// response_type code and PKCE S256; an error either stays on the bank's page or goes back to redirect_uri.
    /// </summary>
    internal static (string RedirectUri, string State, string Challenge, IResult? Error) ReadRedirectParameters(IQueryCollection query, string? registered, string resource)
    {
        string Single(string name) => query[name] is { Count: 1 } value ? value.ToString() : "";

        var redirectUri = Single("redirect_uri");
        if (registered is null || redirectUri != registered)
        {
            return ("", "", "", Message("Request not valid", $"redirect_uri does not match the TPP-Redirect-URI the {resource} was created with.", 400));
        }

        var state = Single("state");
        if (state.Length is 0 or > 512)
        {
            return (redirectUri, "", "", Results.Redirect(Callback(redirectUri, ("error", "invalid_request"), ("error_description", "state is required"))));
        }

        if (Single("response_type") != "code")
        {
            return (redirectUri, state, "", Results.Redirect(Callback(redirectUri, ("error", "unsupported_response_type"), ("state", state))));
        }

        var challenge = Single("code_challenge");
        if (Single("code_challenge_method") != "S256" || !Pkce.IsWellFormedChallenge(challenge))
        {
            return (redirectUri, state, "", Results.Redirect(Callback(redirectUri, ("error", "invalid_request"), ("error_description", "PKCE with code_challenge_method S256 is required"), ("state", state))));
        }

        return (redirectUri, state, challenge, null);
    }

    private static async Task<IResult> IdentifyAsync(
        [FromForm] string loginId, [FromForm] string personalNumber, HttpContext context,
        LoginStore logins, ConsentStore consents, PsuDirectory psus, PaymentAuthorization payments, BankClock clock)
    {
        var cancellationToken = context.RequestAborted;
        var login = await logins.FindAsync(loginId, clock.GetUtcNow(), cancellationToken);
        if (login is null)
        {
            return Message("Sign-in expired", "This sign-in has expired or was already used. Go back to the service and start again.", 400);
        }

        var authorisation = await consents.FindAuthorisationAsync(login.AuthorisationId, cancellationToken);
        if (authorisation?.PaymentId is not null)
        {
            return await payments.IdentifyAsync(loginId, authorisation, personalNumber, cancellationToken);
        }

        var consent = authorisation?.ConsentId is { } consentId ? await consents.FindAsync(consentId, cancellationToken) : null;
        if (authorisation is null || consent is null)
        {
            return Message("Request not valid", "The consent of this sign-in no longer exists.", 400);
        }

        personalNumber = personalNumber.Trim().Replace("-", "", StringComparison.Ordinal);
        var psu = PersonalNumber.IsValid(personalNumber) ? await psus.FindAsync(personalNumber, cancellationToken) : null;
        string? error = psu switch
        {
            null => "No BankID for this personal number. Check the number (12 digits).",
            _ when consent.PsuId is not null && consent.PsuId != psu.PersonalNumber => "This request was made for another person.",
            _ => null,
        };
        if (error is not null)
        {
            return Page<SignInPage>(new { Action = IdentifyPath, LoginId = loginId, Intro = IntroFor(consent), PersonalNumber = personalNumber, Error = error }, 400);
        }

        await logins.IdentifyAsync(loginId, psu!.PersonalNumber, cancellationToken);
        await consents.SetScaStatusAsync(authorisation.AuthorisationId, ScaStatus.Started, psu.PersonalNumber, cancellationToken);
        var accounts = await psus.AccountsAsync(psu.PersonalNumber, cancellationToken);
        var granted = AccessGrants.For(consent, accounts).Select(g => g.ResourceId).ToHashSet();
        var details = accounts.Where(a => granted.Contains(a.ResourceId)).Select(a => $"{a.Name} ({a.Iban}, {a.Currency})").ToList();
        details.Add($"Valid until {consent.ValidUntil:yyyy-MM-dd}, read up to {consent.FrequencyPerDay} times a day without you");
        return Page<BankIdPage>(new
        {
            Action = DecidePath,
            PsuName = psu.Name,
            What = $"Allow {consent.TppId} to read these accounts?",
            Details = (IReadOnlyList<string>)details,
            Hidden = (IReadOnlyDictionary<string, string>)new Dictionary<string, string> { ["loginId"] = loginId },
        });
    }

    private static async Task<IResult> DecideAsync(
        [FromForm] string loginId, [FromForm] string decision, HttpContext context,
        LoginStore logins, ConsentStore consents, TokenStore tokens, ScaService sca, PaymentAuthorization payments, BankClock clock, IOptionsMonitor<BankOptions> options)
    {
        var cancellationToken = context.RequestAborted;
        var login = await logins.TakeAsync(loginId, clock.GetUtcNow(), cancellationToken);
        var authorisation = login is null ? null : await consents.FindAuthorisationAsync(login.AuthorisationId, cancellationToken);
        if (login is null || authorisation is null)
        {
            return Message("Sign-in expired", "This sign-in has expired or was already used. Go back to the service and start again.", 400);
        }

        if (authorisation.ConsentId is not { } consentId)
        {
            return await payments.DecideAsync(login, authorisation, decision, cancellationToken);
        }

        if (decision == "approve" && await sca.ApproveAsync(authorisation, login.PersonalNumber!, cancellationToken))
        {
            var code = await tokens.IssueCodeAsync(consentId, login.ClientId, login.RedirectUri, login.CodeChallenge,
                clock.GetUtcNow() + options.CurrentValue.AuthorizationCodeLifetime, cancellationToken);
            return Results.Redirect(Callback(login.RedirectUri, ("code", code), ("state", login.State)));
        }

        await sca.RejectAsync(authorisation, cancellationToken);
        var consent = await consents.FindAsync(consentId, cancellationToken);
        var target = consent?.NokRedirectUri ?? login.RedirectUri;
        return Results.Redirect(Callback(target, ("error", "access_denied"), ("error_description", "the PSU did not approve the consent"), ("state", login.State)));
    }

    private static string IntroFor(Consent consent) => $"{consent.TppId} asks to read your account information. Sign in to review the request.";

    /// <summary>The TPP's redirect_uri with the answer's parameters added to whatever query it already has.</summary>
    internal static string Callback(string redirectUri, params (string Name, string Value)[] parameters)
    {
        var query = string.Join('&', parameters.Select(p => $"{p.Name}={Uri.EscapeDataString(p.Value)}"));
        return redirectUri + (redirectUri.Contains('?', StringComparison.Ordinal) ? "&" : "?") + query;
    }
}

/// <summary>An authorisation request found sound: the consent it is for, and where and how to answer the TPP.</summary>
public sealed record AuthorizationRequest(Consent Consent, string RedirectUri, string State, string CodeChallenge);
