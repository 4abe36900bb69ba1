namespace Psd2.SandboxBank.UkOpenBanking;

/// <summary>
/// Data.Permissions of an account-access consent (the v4.0 enum), and what they let the TPP read here: this bank
/// serves accounts, balances and transactions; the other permissions are accepted and grant nothing more.
/// </summary>
public static class UkPermissions
{
    public const string ReadAccountsBasic = "ReadAccountsBasic";
    public const string ReadAccountsDetail = "ReadAccountsDetail";
    public const string ReadBalances = "ReadBalances";
    public const string ReadTransactionsBasic = "ReadTransactionsBasic";
    public const string ReadTransactionsDetail = "ReadTransactionsDetail";
    public const string ReadTransactionsCredits = "ReadTransactionsCredits";
    public const string ReadTransactionsDebits = "ReadTransactionsDebits";

    public static readonly IReadOnlySet<string> All = new HashSet<string>(StringComparer.Ordinal)
    {
        ReadAccountsBasic, ReadAccountsDetail, ReadBalances, "ReadBeneficiariesBasic", "ReadBeneficiariesDetail", "ReadDirectDebits",
        "ReadOffers", "ReadPAN", "ReadParty", "ReadPartyPSU", "ReadProducts", "ReadScheduledPaymentsBasic", "ReadScheduledPaymentsDetail",
        "ReadStandingOrdersBasic", "ReadStandingOrdersDetail", "ReadStatementsBasic", "ReadStatementsDetail", ReadTransactionsBasic,
        ReadTransactionsCredits, ReadTransactionsDebits, ReadTransactionsDetail,
    };

    public static bool CoversAccounts(IReadOnlyList<string> permissions) =>
        permissions.Contains(ReadAccountsBasic) || permissions.Contains(ReadAccountsDetail);

    public static bool CoversBalances(IReadOnlyList<string> permissions) => permissions.Contains(ReadBalances);

    /// <summary>Transactions need a level (Basic or Detail) and a direction (Credits and/or Debits), as the standard pairs them.</summary>
    public static bool CoversTransactions(IReadOnlyList<string> permissions) =>
        (permissions.Contains(ReadTransactionsBasic) || permissions.Contains(ReadTransactionsDetail))
        && (permissions.Contains(ReadTransactionsCredits) || permissions.Contains(ReadTransactionsDebits));

    /// <summary>The first problem with a requested list, or null: unknown names, or one half of the transaction pair alone.</summary>
    public static string? Problem(IReadOnlyList<string> permissions)
    {
        if (permissions.FirstOrDefault(p => !All.Contains(p)) is { } unknown)
        {
            return $"'{unknown}' is not a permission of the Account and Transaction API v4.0.";
        }

        var level = permissions.Contains(ReadTransactionsBasic) || permissions.Contains(ReadTransactionsDetail);
        var direction = permissions.Contains(ReadTransactionsCredits) || permissions.Contains(ReadTransactionsDebits);
        return level == direction
            ? null
            : "ReadTransactionsBasic or ReadTransactionsDetail goes with ReadTransactionsCredits and/or ReadTransactionsDebits.";
    }
}
