using System.ComponentModel.DataAnnotations;

namespace Psd2.Core.Banking;

/// <summary>A bank on offer and what it supports, from configuration (<c>Institutions:&lt;id&gt;</c>).</summary>
public sealed class Institution
{
    [Required] public string Name { get; set; } = "";
    /// <summary>Where the bank is, ISO 3166-1 alpha-2.</summary>
    [Required, RegularExpression("^[A-Z]{2}$")] public string Country { get; set; } = "";
    /// <summary>The API standard its connector speaks (<see cref="InstitutionStandard"/>).</summary>
    [Required] public string Standard { get; set; } = "";
    /// <summary>Whether the bank requires the platform's requests signed with its QSealC, as its standard defines the signature.</summary>
    public bool RequiresSignature { get; set; }
    [MinLength(1)] public List<string> ScaApproaches { get; set; } = [];
    /// <summary>Whether the platform initiates payments at this bank (its standard's payment initiation service).</summary>
    public bool Payments { get; set; }
    [Range(1, 3650)] public int MaxConsentDays { get; set; }
    [Range(1, 36500)] public int MaxHistoryDays { get; set; }
    /// <summary>The service-discovery name of the bank's API (its services__&lt;name&gt; entries).</summary>
    [Required] public string Service { get; set; } = "";
    /// <summary>The token endpoint on the bank's mutual-TLS host, for decoupled orders (redirect learns it from the OAuth metadata).</summary>
    [Required] public string TokenPath { get; set; } = "/oauth2/token";
    /// <summary>How often the bank lets a TPP poll a decoupled order.</summary>
    public TimeSpan DecoupledPollInterval { get; set; } = TimeSpan.FromSeconds(2);
    /// <summary>Where the bank's day begins and ends: its daily access budget (frequencyPerDay) resets at its midnight.</summary>
    [Required] public string TimeZone { get; set; } = "Europe/Stockholm";
    /// <summary>How many unattended syncs all worker replicas together start at this bank per second.</summary>
    [Range(1, 10_000)] public int UnattendedSyncsPerSecond { get; set; } = 5;
}

/// <summary>The standards a connector exists for.</summary>
public static class InstitutionStandard
{
    public const string BerlinGroup = "berlin-group";
    public const string UkOpenBanking = "uk-open-banking";
    public const string Stet = "stet";

    public static readonly IReadOnlyList<string> All = [BerlinGroup, UkOpenBanking, Stet];
}

public sealed class InstitutionOptions
{
    public const string Section = "Institutions";

    public Dictionary<string, Institution> Banks { get; set; } = new(StringComparer.Ordinal);
}
