using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using Psd2.SandboxBank.BerlinGroup;
using Psd2.SandboxBank.Consents;
using Psd2.SandboxBank.Infrastructure;
using Psd2.SandboxBank.Time;

namespace Psd2.SandboxBank.UkOpenBanking;

/// <summary>
/// Account-access consents, made and read by the TPP with its client-credentials token. They land in the bank's one
/// consent store: permissions decide the access, ExpirationDateTime the validity (at most MaxConsentDays ahead, that
/// maximum when absent), four unattended reads a day as the UK rules allow, recurring, and redirect authorisation.
/// </summary>
public static class AccountAccessConsentsApi
{
    private const string Path = OpenBankingPaths.Base + "/account-access-consents";
    private const int MaxBodyBytes = 64 * 1024;

    public static void MapAccountAccessConsentsApi(this IEndpointRouteBuilder app)
    {
        var consents = app.MapGroup(Path).WithTags("UK Open Banking: Account Access");
        consents.MapPost("/", CreateAsync).WithName("CreateAccountAccessConsents").WithSummary("Create Account Access Consents");
        consents.MapGet("/{consentId}", GetAsync).WithName("GetAccountAccessConsentsConsentId").WithSummary("Get Account Access Consents");
        consents.MapDelete("/{consentId}", DeleteAsync).WithName("DeleteAccountAccessConsentsConsentId").WithSummary("Delete Account Access Consents");
    }

    private static async Task<IResult> CreateAsync(HttpContext context, OpenBankingAccess access, ConsentStore store, BankClock clock, IOptionsMonitor<BankOptions> options)
    {
        var tppId = await access.ClientAsync(context);
        var body = await ReadBodyAsync(context.Request);
        var bank = options.CurrentValue;
        var now = clock.GetUtcNow();
        var terms = Validate(body, now, bank.MaxConsentDays);

        var consent = new Consent(
            Secrets.NewId(), tppId, ConsentStatus.Received, new AccountAccess(), Recurring: true, clock.DayOf(terms.ExpirationDateTime),
            FrequencyPerDay: 4, CombinedService: false, ScaApproach.Redirect, PsuId: null, RedirectUri: null, NokRedirectUri: null, now, clock.Today, terms);
        var authorisation = new Authorisation(Secrets.NewId(), consent.ConsentId, ScaApproach.Redirect, ScaStatus.Received, null, now, null, null, false);
        await store.CreateAsync(consent, authorisation, context.RequestAborted);
        return Respond(consent, now, clock.Today, bank, StatusCodes.Status201Created);
    }

    private static async Task<IResult> GetAsync(string consentId, HttpContext context, OpenBankingAccess access, ConsentStore store, BankClock clock, IOptionsMonitor<BankOptions> options)
    {
        var consent = await FindAsync(consentId, context, access, store);
        return Respond(consent, clock.GetUtcNow(), clock.Today, options.CurrentValue, StatusCodes.Status200OK);
    }

    private static async Task<IResult> DeleteAsync(string consentId, HttpContext context, OpenBankingAccess access, ConsentStore store)
    {
        await FindAsync(consentId, context, access, store);
        // Ends a live consent and revokes every token issued for it; deleting an ended one changes nothing.
        await store.EndAsync(consentId, ConsentStatus.TerminatedByTpp, context.RequestAborted);
        return TypedResults.NoContent();
    }

    /// <summary>The TPP's own consent; another TPP's is as unknown as a missing one (403: the spec documents no 404 here).</summary>
    private static async Task<Consent> FindAsync(string consentId, HttpContext context, OpenBankingAccess access, ConsentStore store)
    {
        var tppId = await access.ClientAsync(context);
        var consent = consentId.Length <= 128 ? await store.FindAsync(consentId, tppId, context.RequestAborted) : null;
        return consent?.UkTerms is null
            ? throw OpenBankingError.NotFound("No account-access consent of this TPP has this ConsentId.").AsException()
            : consent;
    }

    private static UkConsentTerms Validate(OBReadConsent1 body, DateTimeOffset now, int maxConsentDays)
    {
        if (body.Data is not { } data)
        {
            throw OpenBankingError.FieldMissing("Data").AsException();
        }

        if (body.Risk is not { ValueKind: JsonValueKind.Object })
        {
            throw (body.Risk is null ? OpenBankingError.FieldMissing("Risk") : OpenBankingError.FieldInvalid("Risk must be an object.", "Risk")).AsException();
        }

        if (data.Permissions is not { Count: > 0 } permissions)
        {
            throw OpenBankingError.FieldMissing("Data.Permissions").AsException();
        }

        if (UkPermissions.Problem(permissions) is { } problem)
        {
            throw OpenBankingError.FieldInvalid(problem, "Data.Permissions").AsException();
        }

        var longest = now.AddDays(maxConsentDays);
        var expiration = data.ExpirationDateTime ?? longest;
        if (expiration <= now)
        {
            throw OpenBankingError.InvalidDate("ExpirationDateTime lies in the past.", "Data.ExpirationDateTime").AsException();
        }

        if (data.TransactionFromDateTime > data.TransactionToDateTime)
        {
            throw OpenBankingError.InvalidDate("TransactionFromDateTime lies after TransactionToDateTime.", "Data.TransactionFromDateTime").AsException();
        }

        // A later expiry than the bank allows is shortened to its longest, as the standard lets an ASPSP do.
        return new UkConsentTerms(permissions.Distinct().ToList(), expiration < longest ? expiration : longest,
            data.TransactionFromDateTime, data.TransactionToDateTime);
    }

    private static IResult Respond(Consent consent, DateTimeOffset now, DateOnly today, BankOptions bank, int status)
    {
        var terms = consent.UkTerms!;
        var consentStatus = UkConsentStatus.Of(consent, now, today);
        var data = new OBReadConsentResponse1Data(
            consent.ConsentId, IsoDateTime.Format(consent.CreatedAt), consentStatus, IsoDateTime.Format(UkConsentStatus.UpdatedAt(consent, consentStatus)),
            terms.Permissions, IsoDateTime.Format(terms.ExpirationDateTime),
            terms.TransactionFromDateTime is { } from ? IsoDateTime.Format(from) : null,
            terms.TransactionToDateTime is { } to ? IsoDateTime.Format(to) : null);
        var response = new OBReadConsentResponse1(data, new OBRisk2(), new Links(OpenBankingPaths.Absolute(bank, $"{Path}/{consent.ConsentId}")), new Meta(TotalPages: 1));
        return TypedResults.Json(response, OpenBankingJson.Default.OBReadConsentResponse1, "application/json", status);
    }

    /// <summary>The JSON body, read strictly: 415 (no body, as the spec has it) for another media type, 400 UK.OBIE.Resource.InvalidFormat naming the path for bad JSON.</summary>
    private static async Task<OBReadConsent1> ReadBodyAsync(HttpRequest request)
    {
        if (!request.HasJsonContentType())
        {
            throw new OpenBankingError(StatusCodes.Status415UnsupportedMediaType, null, null, "The body must be application/json.").AsException();
        }

        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = MaxBodyBytes;
        }

        using var body = new MemoryStream();
        try
        {
            // Read whole before parsing, so a too-large body fails while reading (see BerlinGroupRequests.ReadJsonAsync).
            await request.Body.CopyToAsync(body, request.HttpContext.RequestAborted);
            body.Position = 0;
            return await JsonSerializer.DeserializeAsync(body, OpenBankingJson.Default.OBReadConsent1, request.HttpContext.RequestAborted)
                ?? throw OpenBankingError.InvalidFormat("The body must be an OBReadConsent1 object.").AsException();
        }
        catch (BadHttpRequestException)
        {
            throw OpenBankingError.InvalidFormat("The request body could not be read or is too large.").AsException();
        }
        catch (JsonException e)
        {
            throw OpenBankingError.InvalidFormat("The body is not a valid OBReadConsent1.", e.Path).AsException();
        }
    }
}
