using System.ComponentModel.DataAnnotations;

namespace Psd2.SandboxBank;

/// <summary>The bank's profile: where it is reached, its data seed, its rules and timings.</summary>
public sealed class BankOptions
{
    public const string Section = "SandboxBank";

    /// <summary>Base URL of the PSU endpoint (browser pages, OAuth issuer), e.g. https://localhost:7443.</summary>
    [Required, Url]
    public string PsuBaseUrl { get; set; } = "";

    /// <summary>Base URL of the TPP endpoint (mutual TLS: Berlin Group API and the OAuth token endpoint).</summary>
    [Required, Url]
    public string TppBaseUrl { get; set; } = "";

    /// <summary>
    /// The API standard this instance speaks: <see cref="BankStandard.BerlinGroup"/> (NextGenPSD2 under /v1) or
    /// <see cref="BankStandard.UkOpenBanking"/> (Account and Transaction API v4.0 under /open-banking/v4.0/aisp) or
    /// <see cref="BankStandard.Stet"/> (STET PSD2 API under /stet/psd2/v1).
    /// </summary>
    [Required]
    public string Standard { get; set; } = BankStandard.BerlinGroup;

    /// <summary>
    /// The country the bank presents its customers' accounts in: <c>SE</c>, <c>FR</c> or <c>GB</c> (see
    /// <see cref="Data.BankCountry"/>). The seeded money is the same in every country; only the accounts' IBANs and the
    /// currency the home-currency accounts are shown in follow it.
    /// </summary>
    [Required]
    public string Country { get; set; } = Data.BankCountry.Sweden.Code;

    /// <summary>Seed of the synthetic customers, accounts and transactions.</summary>
    public ulong Seed { get; set; } = 20_190_914;

    /// <summary>The bank day (the unit of frequencyPerDay and of booking dates) follows this zone.</summary>
    [Required]
    public string TimeZone { get; set; } = "Europe/Stockholm";

    [Range(1, 1000)]
    public int TransactionsPageSize { get; set; } = 100;

    [Range(1, 3650)]
    public int MaxConsentDays { get; set; } = 180;

    /// <summary>
    /// Berlin Group and STET: requests under /v1 (or /stet/psd2/v1) must carry a draft-cavage signature made with the
    /// TPP's QSealC.
    /// </summary>
    public bool RequireSignature { get; set; } = true;

    /// <summary>
    /// Berlin Group payments: executed as they are initiated, without SCA, for load tests (<c>PUT /sandbox/profile</c>).
    /// </summary>
    public bool SkipPaymentSca { get; set; }

    /// <summary>
    /// STET only: the redirect URIs the TPP registered with the bank. /oauth2/authorize sends the PSU back only to
    /// one of these, compared exactly, since STET's authorisation request names no consent the URI could be checked
    /// against.
    /// </summary>
    public List<string> RedirectUris { get; set; } = [];

    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan AccessTokenLifetime { get; set; } = TimeSpan.FromHours(1);

    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan AuthorizationCodeLifetime { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How long a PSU has to finish signing in once sent to /oauth2/authorize.</summary>
    [Range(typeof(TimeSpan), "00:00:10", "01:00:00")]
    public TimeSpan LoginLifetime { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Test PSU that approves in the BankID app: how long it takes.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan DecoupledApprovalDelay { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>A BankID order nobody answers fails after this long (BankID's own limit is three minutes).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan DecoupledTimeout { get; set; } = TimeSpan.FromMinutes(3);

    /// <summary>The fastest a TPP may poll a decoupled authorisation; faster polls get 429 with Retry-After.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00")]
    public TimeSpan DecoupledPollInterval { get; set; } = TimeSpan.FromSeconds(2);
}

/// <summary>The standards a bank instance can speak; one per instance, chosen at start.</summary>
public static class BankStandard
{
    public const string BerlinGroup = "berlin-group";
    public const string UkOpenBanking = "uk-open-banking";
    public const string Stet = "stet";

    public static bool IsKnown(string standard) => standard is BerlinGroup or UkOpenBanking or Stet;

    /// <summary>Read before the app is built, since the standard decides which endpoints and rules exist.</summary>
    public static string Of(IConfiguration configuration) =>
        configuration[$"{BankOptions.Section}:{nameof(BankOptions.Standard)}"] is { Length: > 0 } standard ? standard : BerlinGroup;
}
