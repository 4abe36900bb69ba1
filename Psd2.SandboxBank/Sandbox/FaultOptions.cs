using System.ComponentModel.DataAnnotations;

namespace Psd2.SandboxBank.Sandbox;

/// <summary>
/// How the bank misbehaves, per endpoint ("consents", "authorisations", "accounts", "account", "balances", "transactions",
/// "token", "payments" (initiation), "payment" (a payment's reads, cancellation and authorisations), or "*" for all).
/// </summary>
public sealed class FaultOptions
{
    public const string Section = "SandboxBank:Faults";

    public Dictionary<string, FaultRule> Endpoints { get; set; } = new(StringComparer.OrdinalIgnoreCase);
}

/// <summary>
/// One endpoint's fault profile. Rates are probabilities from 0 to 1 (1 = every request). Stands in for what real
/// banks do on bad days: errors, throttling, slowness, hangs, cut connections, broken bodies and maintenance.
/// </summary>
public sealed class FaultRule
{
    [Range(0, 1)] public double ErrorRate { get; set; }
    [Range(0, 1)] public double UnavailableRate { get; set; }
    [Range(0, 1)] public double TooManyRequestsRate { get; set; }
    [Range(0, 3600)] public int RetryAfterSeconds { get; set; } = 1;
    [Range(0, 120_000)] public int LatencyMilliseconds { get; set; }
    [Range(0, 1)] public double TimeoutRate { get; set; }
    [Range(0, 1)] public double DropRate { get; set; }
    [Range(0, 1)] public double MalformedJsonRate { get; set; }

    /// <summary>
    /// The bank does the work (a payment is made and committed) and then cuts the connection without answering: the
    /// timeout after the bank received the request, which the client must not take for a refusal.
    /// </summary>
    [Range(0, 1)] public double AcceptThenDropRate { get; set; }

    /// <summary>In bank time: requests between these instants get 503 with Retry-After until the end.</summary>
    public DateTimeOffset? MaintenanceFrom { get; set; }
    public DateTimeOffset? MaintenanceUntil { get; set; }

    /// <summary>Only this page of a transaction list (1 = the first), so a test can fail a sync in the middle.</summary>
    [Range(1, int.MaxValue)] public int? OnlyPage { get; set; }

    /// <summary>Only requests about this consent, so one test's faults never reach another's.</summary>
    public string? OnlyConsentId { get; set; }
}
