using Psd2.Core.ClientApps;
using Psd2.Core.Connectors;

namespace Psd2.Core.Connections;

/// <summary>A user's bank connection: the consent held at the bank for them and the tokens that use it.</summary>
public sealed class Connection : IClientAppOwned
{
    public Guid Id { get; set; }
    public Guid ClientAppId { get; set; }
    public Guid UserId { get; set; }
    public required string InstitutionId { get; set; }
    public required string Flow { get; set; }
    public required string Status { get; set; }
    public string? StatusReason { get; set; }
    /// <summary>Where the end user's browser goes after the bank (redirect flow), from the client's allow-list.</summary>
    public string? RedirectUri { get; set; }
    public string? PsuId { get; set; }
    public int FrequencyPerDay { get; set; }
    /// <summary>What the consent covers: accounts, and optionally balances, and transactions (see <see cref="ConnectionAccess"/>).</summary>
    public List<string> Access { get; set; } = [.. ConnectionAccess.All];
    public DateOnly RequestedValidUntil { get; set; }
    public string? BankConsentId { get; set; }
    /// <summary>The validity the bank granted, which may be shorter than requested.</summary>
    public DateOnly? ValidUntil { get; set; }
    public byte[]? AccessTokenCipher { get; set; }
    public byte[]? RefreshTokenCipher { get; set; }
    public DateTimeOffset? AccessTokenExpiresAt { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public DateTimeOffset? AuthorisedAt { get; set; }
    public DateTimeOffset StatusChangedAt { get; set; }
    /// <summary>The bank's scaStatus link of a decoupled BankID order.</summary>
    public string? ScaStatusUrl { get; set; }
    /// <summary>When the decoupled poller may next ask the bank (at the bank's pace).</summary>
    public DateTimeOffset? NextPollAt { get; set; }
    /// <summary>When an unanswered authorisation is given up on the platform's side.</summary>
    public DateTimeOffset? AuthorisationDeadline { get; set; }
    /// <summary>When the consent's status was last read from the bank.</summary>
    public DateTimeOffset? ConsentCheckedAt { get; set; }
    public DateTimeOffset? LastSyncedAt { get; set; }
    /// <summary>The next unattended refresh: a slot of the consent's daily budget (see <c>RefreshSlots</c>).</summary>
    public DateTimeOffset? NextRefreshAt { get; set; }
    /// <summary>Why unattended refreshes are held back until <see cref="NextRefreshAt"/> (<c>refresh_limit_reached</c>), or null.</summary>
    public string? RefreshReason { get; set; }
    /// <summary>A worker holds the connection for a run until then (database clock), so that no two runs overlap.</summary>
    public DateTimeOffset? LeaseUntil { get; set; }
    public string? LeasedBy { get; set; }
    /// <summary>The claim an unattended refresh job was enqueued with: the job runs only while the connection still carries it.</summary>
    public Guid? LeaseToken { get; set; }
    /// <summary>When the worker next reads the consent's status at the bank.</summary>
    public DateTimeOffset? NextConsentCheckAt { get; set; }
    /// <summary>The connection this one renews: on activation that one's consent is terminated and its accounts move here.</summary>
    public Guid? RenewsConnectionId { get; set; }
    public Guid? ReplacedByConnectionId { get; set; }

    /// <summary>Moves to a status, with the reason clients see and the time it happened.</summary>
    public void SetStatus(string status, string? reason, DateTimeOffset now)
    {
        if (status != Status || reason != StatusReason)
        {
            StatusChangedAt = now;
        }

        Status = status;
        StatusReason = reason;
        UpdatedAt = now;
    }

    /// <summary>A connection that can no longer become or stay active: the bank's consent is over.</summary>
    /// <summary>Whether the consent is in force: the connection can be synced, refreshed and checked.</summary>
    public bool IsLive => Status is ConnectionStatus.Active or ConnectionStatus.RenewalDue;

    public bool IsFinal => Status is ConnectionStatus.Expired or ConnectionStatus.Revoked or ConnectionStatus.Rejected or ConnectionStatus.Failed;

    /// <summary>Ends a worker's hold on the connection (<see cref="LeaseUntil"/>), saved with the run's outcome.</summary>
    public void ReleaseLease()
    {
        LeaseUntil = null;
        LeasedBy = null;
        LeaseToken = null;
    }
}

/// <summary>The statuses clients see (documented in README).</summary>
public static class ConnectionStatus
{
    public const string PendingAuthorisation = "pending_authorisation";
    public const string AwaitingDecoupledAuthorisation = "awaiting_decoupled_authorisation";
    public const string Active = "active";
    public const string RenewalDue = "renewal_due";
    public const string Expired = "expired";
    public const string Revoked = "revoked";
    public const string Rejected = "rejected";
    public const string Failed = "failed";
}

/// <summary>What a consent's state read at the bank means for a connection that was active.</summary>
public static class ConsentStateMapping
{
    /// <summary>The status and reason the connection moves to, or null while the bank still honours the consent.</summary>
    public static (string Status, string Reason)? Ended(ConsentState state) => state switch
    {
        ConsentState.Valid or ConsentState.Pending => null,
        ConsentState.RevokedByPsu => (ConnectionStatus.Revoked, "revoked_by_psu"),
        ConsentState.TerminatedByTpp => (ConnectionStatus.Revoked, "terminated_by_tpp"),
        ConsentState.Expired => (ConnectionStatus.Expired, "consent_expired"),
        ConsentState.Rejected => (ConnectionStatus.Rejected, "user_refused"),
        _ => (ConnectionStatus.Failed, "bank_refused"),
    };
}

/// <summary>
/// The data a connection may read. Accounts are always included; balances and transactions build on them, as the
/// Berlin Group consents without naming IBANs allow (availableAccounts, availableAccountsWithBalance, allPsd2).
/// </summary>
public static class ConnectionAccess
{
    public const string Accounts = "accounts";
    public const string Balances = "balances";
    public const string Transactions = "transactions";
    public static readonly IReadOnlyList<string> All = [Accounts, Balances, Transactions];

    /// <summary>The normalised scope (accounts implied), or null when it is not one a bank can grant without naming accounts.</summary>
    public static List<string>? Normalise(IEnumerable<string>? requested)
    {
        if (requested is null)
        {
            return [.. All];
        }

        var set = requested.Append(Accounts).ToHashSet(StringComparer.Ordinal);
        List<string>[] grantable = [[Accounts], [Accounts, Balances], [.. All]];
        return grantable.FirstOrDefault(scope => set.SetEquals(scope));
    }
}

public static class ConnectionFlow
{
    public const string Redirect = "redirect";
    public const string Decoupled = "decoupled";
}
