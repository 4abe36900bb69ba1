using Microsoft.Extensions.Options;
using Psd2.SandboxBank.BerlinGroup;
using Psd2.SandboxBank.Data;
using Psd2.SandboxBank.Infrastructure;
using Psd2.SandboxBank.Psus;
using Psd2.SandboxBank.Sca;
using Psd2.SandboxBank.Time;
using Psd2.SandboxBank.Tls;

namespace Psd2.SandboxBank.Consents;

/// <summary>Berlin Group AIS consents and their authorisations (the SCA sub-resources).</summary>
public static class ConsentsApi
{
    public static void MapConsentsApi(this IEndpointRouteBuilder app)
    {
        var consents = app.MapGroup("/v1/consents").WithTags("Consents");
        consents.MapPost("/", CreateAsync).WithName("CreateConsent");
        consents.MapGet("/{consentId}", GetAsync).WithName("GetConsent");
        consents.MapGet("/{consentId}/status", GetStatusAsync).WithName("GetConsentStatus");
        consents.MapDelete("/{consentId}", DeleteAsync).WithName("DeleteConsent");
        consents.MapPost("/{consentId}/authorisations", StartAuthorisationAsync).WithName("StartConsentAuthorisation");
        consents.MapGet("/{consentId}/authorisations", ListAuthorisationsAsync).WithName("GetConsentAuthorisations");
        consents.MapGet("/{consentId}/authorisations/{authorisationId}", GetScaStatusAsync).WithName("GetConsentScaStatus");
    }

    private static async Task<IResult> CreateAsync(HttpContext context, ConsentStore store, PsuDirectory psus, BankClock clock, IOptionsMonitor<BankOptions> options)
    {
        var request = context.Request;
        var cancellationToken = context.RequestAborted;
        var body = await request.ReadJsonAsync(BankJson.Default.ConsentRequest);
        var (valid, error) = ConsentRules.Validate(body, clock.Today, options.CurrentValue.MaxConsentDays);
        if (error is not null)
        {
            return error;
        }

        var headers = ConsentHeaders.Read(request.Headers);
        if (headers.Error is not null)
        {
            return headers.Error;
        }

        if (headers.PsuId is not null && await psus.FindAsync(headers.PsuId, cancellationToken) is null)
        {
            return new TppError(401, "PSU_CREDENTIALS_INVALID", "The PSU-ID is not a customer of this bank.", "PSU-ID");
        }

        var now = clock.GetUtcNow();
        var approach = headers.Decoupled ? ScaApproach.Decoupled : ScaApproach.Redirect;
        var consent = new Consent(
            Secrets.NewId(), context.Tpp().OrganizationId, ConsentStatus.Received, valid!.Access, valid.Recurring, valid.ValidUntil,
            valid.FrequencyPerDay, CombinedService: false, approach, headers.PsuId, headers.RedirectUri, headers.NokRedirectUri, now, clock.Today);
        var authorisation = NewAuthorisation(consent, now);
        await store.CreateAsync(consent, authorisation, cancellationToken);

        context.Response.Headers["ASPSP-SCA-Approach"] = approach;
        var links = Links(consent, authorisation, options.CurrentValue);
        return approach == ScaApproach.Decoupled
            ? TypedResults.Created(links["self"].Value, new ConsentCreatedResponse(
                consent.Status, consent.ConsentId, links, authorisation.ScaStatus, "Open the BankID app on your phone and approve the request."))
            : TypedResults.Created(links["self"].Value, new ConsentCreatedResponse(consent.Status, consent.ConsentId, links));
    }

    private static async Task<IResult> GetAsync(string consentId, HttpContext context, ConsentStore store, BankClock clock)
    {
        var consent = await FindAsync(consentId, context, store);
        var status = consent.StatusOn(clock.Today);
        var links = new Dictionary<string, Href> { ["self"] = new($"/v1/consents/{consentId}"), ["status"] = new($"/v1/consents/{consentId}/status") };
        if (status == ConsentStatus.Valid)
        {
            links["account"] = new("/v1/accounts");
        }

        return TypedResults.Ok(new ConsentInformationResponse(
            consent.Access, consent.Recurring, consent.ValidUntil, consent.FrequencyPerDay, consent.LastActionDate, status, links));
    }

    private static async Task<IResult> GetStatusAsync(string consentId, HttpContext context, ConsentStore store, ScaService sca, BankClock clock)
    {
        var consent = await FindAsync(consentId, context, store);
        if (consent.Status == ConsentStatus.Received)
        {
            // A decoupled order may have been answered since the last look.
            foreach (var authorisation in await store.ListAuthorisationsAsync(consentId, context.RequestAborted))
            {
                await sca.CatchUpAsync(authorisation, context.RequestAborted);
            }

            consent = await FindAsync(consentId, context, store);
        }

        return TypedResults.Ok(new ConsentStatusResponse(consent.StatusOn(clock.Today)));
    }

    private static async Task<IResult> DeleteAsync(string consentId, HttpContext context, ConsentStore store)
    {
        await FindAsync(consentId, context, store);
        await store.EndAsync(consentId, ConsentStatus.TerminatedByTpp, context.RequestAborted);
        return TypedResults.NoContent();
    }

    private static async Task<IResult> StartAuthorisationAsync(string consentId, HttpContext context, ConsentStore store, BankClock clock, IOptionsMonitor<BankOptions> options)
    {
        var consent = await FindAsync(consentId, context, store);
        if (consent.StatusOn(clock.Today) != ConsentStatus.Received)
        {
            return TppError.StatusInvalid("Only a consent awaiting authorisation can start a new one.");
        }

        var authorisation = NewAuthorisation(consent, clock.GetUtcNow());
        await store.AddAuthorisationAsync(authorisation, context.RequestAborted);
        context.Response.Headers["ASPSP-SCA-Approach"] = consent.ScaApproach;
        var links = Links(consent, authorisation, options.CurrentValue);
        links.Remove("self");
        links.Remove("status");
        return TypedResults.Created(
            links["scaStatus"].Value,
            new StartScaProcessResponse(authorisation.ScaStatus, authorisation.AuthorisationId, links));
    }

    private static async Task<IResult> ListAuthorisationsAsync(string consentId, HttpContext context, ConsentStore store)
    {
        await FindAsync(consentId, context, store);
        var authorisations = await store.ListAuthorisationsAsync(consentId, context.RequestAborted);
        return TypedResults.Ok(new AuthorisationsResponse(authorisations.Select(a => a.AuthorisationId).ToList()));
    }

    private static async Task<IResult> GetScaStatusAsync(
        string consentId, string authorisationId, HttpContext context, ConsentStore store, ScaService sca, IOptionsMonitor<BankOptions> options)
    {
        await FindAsync(consentId, context, store);
        var authorisation = await store.FindAuthorisationAsync(authorisationId, context.RequestAborted);
        if (authorisation is null || authorisation.ConsentId != consentId)
        {
            return TppError.ResourceUnknown("No such authorisation for this consent.");
        }

        var polled = await sca.PollAsync(authorisation, context.RequestAborted);
        if (polled is null)
        {
            var interval = options.CurrentValue.DecoupledPollInterval;
            return new TppError(429, "ACCESS_EXCEEDED", $"Poll at most every {interval.TotalSeconds:0.#} s.")
            {
                RetryAfterSeconds = (int)Math.Ceiling(Math.Max(1, interval.TotalSeconds)),
            };
        }

        return TypedResults.Ok(new ScaStatusResponse(polled.ScaStatus, PsuMessage(polled)));
    }

    private static string? PsuMessage(Authorisation authorisation) => authorisation switch
    {
        { ScaApproach: ScaApproach.Decoupled, ScaStatus: ScaStatus.Started } => "Waiting for the PSU to approve in the BankID app.",
        { ScaStatus: ScaStatus.Failed } => "The PSU did not approve the consent.",
        _ => null,
    };

    /// <summary>This TPP's consent, or 403 CONSENT_UNKNOWN (another TPP's consent is as unknown as a missing one).</summary>
    private static async Task<Consent> FindAsync(string consentId, HttpContext context, ConsentStore store) =>
        await store.FindAsync(consentId, context.Tpp().OrganizationId, context.RequestAborted)
        ?? throw TppError.ConsentUnknown().AsException();

    private static Authorisation NewAuthorisation(Consent consent, DateTimeOffset now) =>
        consent.ScaApproach == ScaApproach.Decoupled
            // The BankID order goes to the PSU's phone at once.
            ? new Authorisation(Secrets.NewId(), consent.ConsentId, ScaApproach.Decoupled, ScaStatus.Started, consent.PsuId, now, now, null, false)
            : new Authorisation(Secrets.NewId(), consent.ConsentId, ScaApproach.Redirect, ScaStatus.Received, consent.PsuId, now, null, null, false);

    private static Dictionary<string, Href> Links(Consent consent, Authorisation authorisation, BankOptions options)
    {
        var self = $"/v1/consents/{consent.ConsentId}";
        var links = new Dictionary<string, Href>
        {
            ["self"] = new(self),
            ["status"] = new($"{self}/status"),
            ["scaStatus"] = new($"{self}/authorisations/{authorisation.AuthorisationId}"),
        };
        if (consent.ScaApproach == ScaApproach.Redirect)
        {
            links["scaOAuth"] = new($"{options.PsuBaseUrl.TrimEnd('/')}/.well-known/oauth-authorization-server");
        }

        return links;
    }
}
