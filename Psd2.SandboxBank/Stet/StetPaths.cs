using Psd2.SandboxBank.Consents;
using Psd2.SandboxBank.Data;

namespace Psd2.SandboxBank.Stet;

/// <summary>Where the STET PSD2 API lives, how its URLs are built, and how it names the bank's accounts.</summary>
public static class StetPaths
{
    public const string Base = "/stet/psd2/v1";

    public static bool IsStetPath(PathString path) => path.StartsWithSegments(Base);

    /// <summary>An absolute URL on the TPP endpoint, for the HAL links.</summary>
    public static string Absolute(BankOptions options, string pathAndQuery) => options.TppBaseUrl.TrimEnd('/') + pathAndQuery;

    /// <summary>
    /// STET's ResourceId allows 35 characters and the bank's account ids are GUIDs of 36, so this dialect shows them
    /// without hyphens.
    /// </summary>
    public static string AccountResourceId(AccountSeed account) => Guid.Parse(account.ResourceId).ToString("N");

    /// <summary>The bank's own id of an account named in a STET path; null when it cannot be one.</summary>
    public static string? BankResourceId(string accountResourceId) =>
        accountResourceId.Length == 32 && Guid.TryParseExact(accountResourceId, "N", out var id) ? id.ToString() : null;
}

/// <summary>The OAuth scopes of the STET dialect.</summary>
public static class StetScopes
{
    /// <summary>Access by an AISP to one PSU's accounts.</summary>
    public const string Aisp = "aisp";

    /// <summary>Transactions older than <see cref="StandardHistoryDays"/> days as well.</summary>
    public const string ExtendedTransactionHistory = "extended_transaction_history";

    public const int StandardHistoryDays = 90;

    public static string Granted(StetConsentTerms terms) => terms.ExtendedTransactionHistory ? $"{Aisp} {ExtendedTransactionHistory}" : Aisp;
}
