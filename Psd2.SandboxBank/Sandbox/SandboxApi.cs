using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;
using Psd2.SandboxBank.Accounts;
using Psd2.SandboxBank.Consents;
using Psd2.SandboxBank.Data;
using Psd2.SandboxBank.Infrastructure;
using Psd2.SandboxBank.Payments;
using Psd2.SandboxBank.Psus;
using Psd2.SandboxBank.Time;

namespace Psd2.SandboxBank.Sandbox;

/// <summary>
/// Controls for testers and test suites, behind an admin key: create PSUs, act as a PSU, move the clock, switch
/// faults and the profile (signatures, payments without SCA), read the access counts and the payments made, reset.
/// </summary>
public static class SandboxApi
{
    public const string AdminKeyHeader = "X-Admin-Key";

    public static void MapSandboxApi(this IEndpointRouteBuilder app)
    {
        var sandbox = app.MapGroup("/sandbox").WithTags("Sandbox").AddEndpointFilter(RequireAdminKey).DisableAntiforgery();
        sandbox.MapPost("/psus", CreatePsuAsync).WithName("SandboxCreatePsu");
        sandbox.MapGet("/psus/{personalNumber}", GetPsuAsync).WithName("SandboxGetPsu");
        sandbox.MapGet("/psus/{personalNumber}/consents", ListPsuConsentsAsync).WithName("SandboxListPsuConsents");
        sandbox.MapGet("/consents/{consentId}", GetConsentAsync).WithName("SandboxGetConsent");
        sandbox.MapPost("/consents/{consentId}/revoke", RevokeConsentAsync).WithName("SandboxRevokeConsent");
        sandbox.MapGet("/clock", (BankClock clock) => TypedResults.Ok(ClockView(clock))).WithName("SandboxGetClock");
        sandbox.MapPost("/clock/advance", AdvanceClockAsync).WithName("SandboxAdvanceClock");
        sandbox.MapGet("/faults", (IOptionsMonitor<FaultOptions> faults) => TypedResults.Ok(faults.CurrentValue.Endpoints)).WithName("SandboxGetFaults");
        sandbox.MapPut("/faults/{endpoint}", SetFault).WithName("SandboxSetFault");
        sandbox.MapDelete("/faults", (RuntimeSettings settings) =>
        {
            settings.Replace(FaultOptions.Section + ":", new Dictionary<string, string?>());
            return TypedResults.NoContent();
        }).WithName("SandboxClearFaults");
        sandbox.MapPut("/profile", SetProfile).WithName("SandboxSetProfile");
        sandbox.MapGet("/access-counts", ListAccessCountsAsync).WithName("SandboxAccessCounts");
        sandbox.MapGet("/payments", ListPaymentsAsync).WithName("SandboxListPayments");
        sandbox.MapPost("/reset", ResetAsync).WithName("SandboxReset");
    }

    private static async ValueTask<object?> RequireAdminKey(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var configured = context.HttpContext.RequestServices.GetRequiredService<IOptions<SandboxOptions>>().Value.AdminKey;
        if (string.IsNullOrEmpty(configured))
        {
            return TypedResults.NotFound();
        }

        var given = context.HttpContext.Request.Headers[AdminKeyHeader].ToString();
        return given.Length > 0 && Secrets.FixedTimeEquals(given, configured)
            ? await next(context)
            : TypedResults.Problem(statusCode: 401, title: "The sandbox controls need a valid X-Admin-Key.", extensions: new Dictionary<string, object?> { ["code"] = "admin_key_invalid" });
    }

    private static async Task<IResult> CreatePsuAsync(CreatePsuRequest request, PsuDirectory psus, BankClock clock, IOptions<BankOptions> options, CancellationToken cancellationToken)
    {
        if (request.PersonalNumber is { } number && !PersonalNumber.IsValid(number))
        {
            return Invalid("personal_number_invalid", "personalNumber must have 12 digits and a valid check digit.");
        }

        if (request.Accounts is < 1 or > 10 || request.Name is { Length: > 100 })
        {
            return Invalid("psu_invalid", "accounts is 1 to 10; name at most 100 characters.");
        }

        // A fresh seed per request unless the caller wants a reproducible PSU.
        var seed = request.Seed ?? BitConverter.ToUInt64(System.Security.Cryptography.RandomNumberGenerator.GetBytes(8));
        var psu = SyntheticBank.CreatePsu(seed ^ options.Value.Seed, clock.Today, request.PersonalNumber, request.Name, request.Accounts ?? 2, request.Decoupled ?? DecoupledBehaviour.ApproveAfterDelay);
        if (!await psus.AddAsync(psu, cancellationToken))
        {
            return TypedResults.Problem(statusCode: 409, title: "A PSU with this personal number exists.", extensions: new Dictionary<string, object?> { ["code"] = "psu_exists" });
        }

        return TypedResults.Created($"/sandbox/psus/{psu.PersonalNumber}", await PsuViewAsync(psu.PersonalNumber, psus, cancellationToken));
    }

    private static async Task<IResult> GetPsuAsync(string personalNumber, PsuDirectory psus, CancellationToken cancellationToken) =>
        await PsuViewAsync(personalNumber, psus, cancellationToken) is { } view ? TypedResults.Ok(view) : TypedResults.NotFound();

    private static async Task<PsuView?> PsuViewAsync(string personalNumber, PsuDirectory psus, CancellationToken cancellationToken)
    {
        var psu = await psus.FindAsync(personalNumber, cancellationToken);
        if (psu is null)
        {
            return null;
        }

        var accounts = await psus.AccountsAsync(personalNumber, cancellationToken);
        return new PsuView(psu.PersonalNumber, psu.Name, psu.Decoupled.ToString(),
            accounts.Select(a => new PsuAccountView(a.ResourceId, a.Iban, a.Currency, a.Name, a.OpenedOn)).ToList());
    }

    private static async Task<IResult> GetConsentAsync(string consentId, ConsentStore consents, BankClock clock, CancellationToken cancellationToken)
    {
        var consent = await consents.FindAsync(consentId, cancellationToken);
        if (consent is null)
        {
            return TypedResults.NotFound();
        }

        var accounts = await consents.AccountsAsync(consentId, cancellationToken);
        return TypedResults.Ok(new SandboxConsentView(consent.ConsentId, consent.TppId, consent.StatusOn(clock.Today), consent.PsuId,
            consent.ValidUntil, consent.FrequencyPerDay, consent.Recurring, accounts));
    }

    /// <summary>The PSU's consents, newest first: where a standard gives the TPP no consent id (STET), the way to find one.</summary>
    private static async Task<IResult> ListPsuConsentsAsync(string personalNumber, ConsentStore consents, BankClock clock, CancellationToken cancellationToken) =>
        TypedResults.Ok((await consents.ListForPsuAsync(personalNumber, cancellationToken))
            .Select(c => new { c.ConsentId, c.TppId, Status = c.StatusOn(clock.Today), c.ValidUntil, c.CreatedAt }).ToList());

    private static async Task<IResult> RevokeConsentAsync(string consentId, ConsentStore consents, CancellationToken cancellationToken)
    {
        if (await consents.FindAsync(consentId, cancellationToken) is null)
        {
            return TypedResults.NotFound();
        }

        await consents.EndAsync(consentId, ConsentStatus.RevokedByPsu, cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<IResult> AdvanceClockAsync(AdvanceClockRequest request, BankClock clock, IOptions<SandboxOptions> options, CancellationToken cancellationToken)
    {
        if (!options.Value.EnableTestClock)
        {
            return TypedResults.Problem(statusCode: 403, title: "The test clock is disabled in this environment.", extensions: new Dictionary<string, object?> { ["code"] = "test_clock_disabled" });
        }

        var by = TimeSpan.FromDays(request.Days) + TimeSpan.FromHours(request.Hours) + TimeSpan.FromSeconds(request.Seconds);
        if (by < TimeSpan.Zero || by > TimeSpan.FromDays(3650))
        {
            return Invalid("clock_invalid", "The clock moves forward only, by at most ten years.");
        }

        await clock.AdvanceAsync(by, cancellationToken);
        return TypedResults.Ok(ClockView(clock));
    }

    private static IResult SetFault(string endpoint, FaultRule rule, RuntimeSettings settings)
    {
        var results = new List<ValidationResult>();
        if (!Validator.TryValidateObject(rule, new ValidationContext(rule), results, validateAllProperties: true) || endpoint.Length > 40)
        {
            return Invalid("fault_invalid", string.Join(" ", results.Select(r => r.ErrorMessage)));
        }

        settings.Replace($"{FaultOptions.Section}:Endpoints:{endpoint}:", FaultInjection.ToSettings(rule));
        return TypedResults.NoContent();
    }

    /// <summary>Sets the profile switches the request names and leaves the others as they are.</summary>
    private static IResult SetProfile(ProfileRequest request, RuntimeSettings settings)
    {
        foreach (var (name, value) in new[] { (nameof(BankOptions.RequireSignature), request.RequireSignature), (nameof(BankOptions.SkipPaymentSca), request.SkipPaymentSca) })
        {
            if (value is { } flag)
            {
                settings.Replace($"{BankOptions.Section}:{name}", new Dictionary<string, string?> { [""] = flag ? "true" : "false" });
            }
        }

        return TypedResults.NoContent();
    }

    /// <summary>The payments TPPs initiated, newest first, for counting what a client really sent (at most 1000).</summary>
    private static async Task<IResult> ListPaymentsAsync(string? tppId, string? debtorIban, PaymentStore payments, BankClock clock, CancellationToken cancellationToken) =>
        TypedResults.Json((await payments.ListAsync(tppId, debtorIban, 1000, cancellationToken))
            .Select(p => new SandboxPaymentView(p.PaymentId, p.TppId, p.Product, p.StatusOn(clock.Today), p.StatusReason, p.DebtorIban, p.CreditorIban,
                p.Amount.ToString("0.00", System.Globalization.CultureInfo.InvariantCulture), p.Currency, p.ExecutionDate, p.CreatedAt))
            .ToList());

    private static async Task<IResult> ListAccessCountsAsync(string? consentId, DateOnly? day, AccessCounter counter, CancellationToken cancellationToken) =>
        TypedResults.Ok(await counter.ListAsync(consentId, day, cancellationToken));

    private static async Task<IResult> ResetAsync(RuntimeSettings settings, AccessCounter counter, BankClock clock, CancellationToken cancellationToken)
    {
        settings.Clear();
        await counter.ResetAsync(cancellationToken);
        await clock.ResetAsync(cancellationToken);
        return TypedResults.NoContent();
    }

    private static ClockView ClockView(BankClock clock) => new(clock.GetUtcNow(), clock.Today, clock.Offset.TotalSeconds);

    private static IResult Invalid(string code, string title) =>
        TypedResults.Problem(statusCode: 400, title: title, extensions: new Dictionary<string, object?> { ["code"] = code });
}

public sealed record CreatePsuRequest(string? PersonalNumber, string? Name, int? Accounts, DecoupledBehaviour? Decoupled, ulong? Seed);

public sealed record PsuView(string PersonalNumber, string Name, string Decoupled, IReadOnlyList<PsuAccountView> Accounts);

public sealed record PsuAccountView(string ResourceId, string Iban, string Currency, string Name, DateOnly OpenedOn);

public sealed record SandboxConsentView(string ConsentId, string TppId, string Status, string? PsuId, DateOnly ValidUntil, int FrequencyPerDay, bool Recurring, IReadOnlyList<ConsentedAccount> Accounts);

public sealed record AdvanceClockRequest(double Days = 0, double Hours = 0, double Seconds = 0);

/// <summary>The profile switches; an absent one keeps its value.</summary>
public sealed record ProfileRequest(bool? RequireSignature, bool? SkipPaymentSca);

public sealed record ClockView(DateTimeOffset Now, DateOnly Today, double OffsetSeconds);
