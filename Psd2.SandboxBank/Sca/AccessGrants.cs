using Psd2.SandboxBank.BerlinGroup;
using Psd2.SandboxBank.Consents;
using Psd2.SandboxBank.Data;
using Psd2.SandboxBank.UkOpenBanking;

namespace Psd2.SandboxBank.Sca;

/// <summary>Which of the PSU's accounts a consent covers once approved, and for what.</summary>
public static class AccessGrants
{
    /// <summary>A UK Open Banking consent grants by its permissions, a Berlin Group one by its access object.</summary>
    public static IReadOnlyList<ConsentedAccount> For(Consent consent, IReadOnlyList<AccountSeed> accounts) =>
        consent.UkTerms is { } terms
            ? accounts.Select(a => new ConsentedAccount(a.ResourceId, UkPermissions.CoversBalances(terms.Permissions), UkPermissions.CoversTransactions(terms.Permissions))).ToList()
            : For(consent.Access, accounts);

    public static IReadOnlyList<ConsentedAccount> For(AccountAccess access, IReadOnlyList<AccountSeed> accounts)
    {
        if (access.AllPsd2 is not null || IsBankOffered(access))
        {
            // A bank-offered consent (empty lists) is completed by the PSU at the bank; this bank offers everything.
            return accounts.Select(a => new ConsentedAccount(a.ResourceId, Balances: true, Transactions: true)).ToList();
        }

        if (access.AvailableAccountsWithBalance is not null)
        {
            return accounts.Select(a => new ConsentedAccount(a.ResourceId, Balances: true, Transactions: false)).ToList();
        }

        if (access.AvailableAccounts is not null)
        {
            return accounts.Select(a => new ConsentedAccount(a.ResourceId, Balances: false, Transactions: false)).ToList();
        }

        // Balances or transactions of an account imply reading the account itself.
        return accounts
            .Where(a => Names(access.Accounts, a) || Names(access.Balances, a) || Names(access.Transactions, a))
            .Select(a => new ConsentedAccount(a.ResourceId, Names(access.Balances, a), Names(access.Transactions, a)))
            .ToList();
    }

    private static bool IsBankOffered(AccountAccess access) =>
        access is { AvailableAccounts: null, AvailableAccountsWithBalance: null }
        && access.Accounts is null or [] && access.Balances is null or [] && access.Transactions is null or [];

    private static bool Names(IReadOnlyList<AccountReference>? references, AccountSeed account) =>
        references?.Any(r => string.Equals(r.Iban, account.Iban, StringComparison.OrdinalIgnoreCase)
            && (r.Currency is null || r.Currency == account.Currency)) == true;
}
