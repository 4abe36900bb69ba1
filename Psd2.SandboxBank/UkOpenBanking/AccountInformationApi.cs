using System.Globalization;
using Microsoft.Extensions.Options;
using Psd2.SandboxBank.Accounts;
using Psd2.SandboxBank.Consents;
using Psd2.SandboxBank.Data;
using Psd2.SandboxBank.Psus;
using Psd2.SandboxBank.Time;

namespace Psd2.SandboxBank.UkOpenBanking;

/// <summary>
/// Account information with the token of the PSU's authorisation: accounts, balances, and transactions paged through
/// Links.Next with the bank's opaque, MAC-protected page keys (the same pager as the Berlin Group dialect).
/// </summary>
public static class AccountInformationApi
{
    private const string Path = OpenBankingPaths.Base + "/accounts";

    public static void MapAccountInformationApi(this IEndpointRouteBuilder app)
    {
        var accounts = app.MapGroup(Path).WithTags("UK Open Banking: Accounts");
        accounts.MapGet("/", ListAsync).WithName("GetAccounts").WithSummary("Get Accounts");
        accounts.MapGet("/{accountId}", GetAsync).WithName("GetAccountsAccountId").WithSummary("Get Account");
        accounts.MapGet("/{accountId}/balances", BalancesAsync).WithName("GetAccountsAccountIdBalances").WithSummary("Get Balances");
        accounts.MapGet("/{accountId}/transactions", TransactionsAsync).WithName("GetAccountsAccountIdTransactions").WithSummary("Get Transactions");
    }

    private static async Task<IResult> ListAsync(HttpContext context, OpenBankingAccess access, PsuDirectory psus, OpenBankingViews views, IOptionsMonitor<BankOptions> options)
    {
        var grant = await access.ConsentAsync(context);
        RequireAccounts(grant);
        await access.CountAsync(context, grant, "accounts", "");
        var detail = grant.Terms.Permissions.Contains(UkPermissions.ReadAccountsDetail);
        var list = new List<OBAccount6>();
        foreach (var granted in grant.Accounts)
        {
            if (await psus.AccountAsync(granted.ResourceId, context.RequestAborted) is { } account)
            {
                list.Add(views.Account(account, detail));
            }
        }

        return Ok(new OBReadAccount6(new OBReadAccount6Data(list), SelfLink(context, options), new Meta(TotalPages: 1)), OpenBankingJson.Default.OBReadAccount6);
    }

    private static async Task<IResult> GetAsync(string accountId, HttpContext context, OpenBankingAccess access, PsuDirectory psus, OpenBankingViews views, IOptionsMonitor<BankOptions> options)
    {
        var (grant, _, account) = await AccountAsync(accountId, context, access, psus);
        RequireAccounts(grant);
        await access.CountAsync(context, grant, "account", accountId);
        var detail = grant.Terms.Permissions.Contains(UkPermissions.ReadAccountsDetail);
        return Ok(new OBReadAccount6(new OBReadAccount6Data([views.Account(account, detail)]), SelfLink(context, options), new Meta(TotalPages: 1)), OpenBankingJson.Default.OBReadAccount6);
    }

    private static async Task<IResult> BalancesAsync(string accountId, HttpContext context, OpenBankingAccess access, PsuDirectory psus, OpenBankingViews views, IOptionsMonitor<BankOptions> options)
    {
        var (grant, granted, account) = await AccountAsync(accountId, context, access, psus);
        if (!granted.Balances)
        {
            throw OpenBankingError.PermissionMissing("The consent does not grant ReadBalances.").AsException();
        }

        await access.CountAsync(context, grant, "balances", accountId);
        return Ok(new OBReadBalance1(new OBReadBalance1Data(views.Balances(account)), SelfLink(context, options), new Meta(TotalPages: 1)), OpenBankingJson.Default.OBReadBalance1);
    }

    private static async Task<IResult> TransactionsAsync(
        string accountId, HttpContext context, OpenBankingAccess access, PsuDirectory psus, OpenBankingViews views, TransactionGenerator generator,
        PageKeys pageKeys, BankClock clock, IOptionsMonitor<BankOptions> options)
    {
        var today = clock.Today;
        var (grant, granted, account) = await AccountAsync(accountId, context, access, psus);
        if (!granted.Transactions)
        {
            throw OpenBankingError.PermissionMissing("The consent does not grant ReadTransactionsBasic or ReadTransactionsDetail with Credits or Debits.").AsException();
        }

        var query = context.Request.Query;
        PageCursor cursor;
        if (query["pageKey"] is { Count: > 0 } pageKey)
        {
            cursor = pageKeys.Unprotect(pageKey.ToString()) is { } key && key.ConsentId == grant.Consent.ConsentId && key.ResourceId == accountId && key.IssuedOn == today
                ? key
                : throw OpenBankingError.FieldInvalid("pageKey is invalid or has expired; start the list again.", "pageKey").AsException();
        }
        else
        {
            var (from, to) = Period(query, grant.Terms, today);
            await access.CountAsync(context, grant, "transactions", accountId);
            cursor = new PageCursor(grant.Consent.ConsentId, accountId, "both", from, to, to, 0, 1, today);
        }

        var bank = options.CurrentValue;
        if (cursor.Page == 1)
        {
            // Counted over the whole period once, for the first page; the later pages' keys carry it.
            cursor = cursor with { TotalPages = TransactionPager.PageCount(generator, account, cursor, bank.TransactionsPageSize) };
        }

        var detail = grant.Terms.Permissions.Contains(UkPermissions.ReadTransactionsDetail);
        var (booked, next) = cursor.DateFrom <= cursor.DateTo
            ? TransactionPager.Page(generator, account, cursor, bank.TransactionsPageSize, t => t)
            : ([], null);

        // Pending transactions are few and all current ones are shown, whatever the dates; they come with the first page only.
        IEnumerable<BankTransaction> entries = cursor.Page == 1 ? generator.PendingOn(account, today).Concat(booked) : booked;
        var credits = grant.Terms.Permissions.Contains(UkPermissions.ReadTransactionsCredits);
        var debits = grant.Terms.Permissions.Contains(UkPermissions.ReadTransactionsDebits);
        var transactions = entries
            .Where(t => t.Amount < 0 ? debits : credits)
            .Select(t => views.Transaction(account, t, detail))
            .ToList();

        var links = new Links(SelfLink(context, options).Self, next is null ? null : OpenBankingPaths.Absolute(bank, $"{Path}/{accountId}/transactions?pageKey={pageKeys.Protect(next)}"));
        var meta = new Meta(TotalPages: cursor.TotalPages);
        return Ok(new OBReadTransaction6(new OBReadDataTransaction6(transactions), links, meta), OpenBankingJson.Default.OBReadTransaction6);
    }

    /// <summary>
    /// The booking days asked for, within what the consent allows. The spec says to ignore a time zone in the
    /// parameters, so only their date counts; absent, the list runs from the consent's TransactionFromDateTime (or
    /// the account's first day) to its TransactionToDateTime (or today).
    /// </summary>
    private static (DateOnly From, DateOnly To) Period(IQueryCollection query, UkConsentTerms terms, DateOnly today)
    {
        var from = Date(query, "fromBookingDateTime") ?? DateOnly.MinValue;
        var to = Date(query, "toBookingDateTime") ?? today;
        if (terms.TransactionFromDateTime is { } consentFrom && DateOnly.FromDateTime(consentFrom.DateTime) > from)
        {
            from = DateOnly.FromDateTime(consentFrom.DateTime);
        }

        if (terms.TransactionToDateTime is { } consentTo && DateOnly.FromDateTime(consentTo.DateTime) < to)
        {
            to = DateOnly.FromDateTime(consentTo.DateTime);
        }

        return (from, to > today ? today : to);
    }

    private static DateOnly? Date(IQueryCollection query, string name)
    {
        if (!query.TryGetValue(name, out var value))
        {
            return null;
        }

        var text = value.Count == 1 ? value.ToString() : "";
        // Date and time, or the date alone (the time part is optional, as the spec says).
        return text.Length >= 10 && DateOnly.TryParseExact(text.AsSpan(0, 10), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)
            && (text.Length == 10 || text[10] == 'T')
            ? date
            : throw OpenBankingError.InvalidDate($"{name} must be an ISO 8601 date-time, e.g. 2024-05-01T00:00:00.", name).AsException();
    }

    private static void RequireAccounts(OpenBankingGrant grant)
    {
        if (!UkPermissions.CoversAccounts(grant.Terms.Permissions))
        {
            throw OpenBankingError.PermissionMissing("The consent does not grant ReadAccountsBasic or ReadAccountsDetail.").AsException();
        }
    }

    /// <summary>An account of the consent; any other is unknown here (403: the spec documents no 404 for these reads).</summary>
    private static async Task<(OpenBankingGrant Grant, ConsentedAccount Granted, AccountSeed Account)> AccountAsync(
        string accountId, HttpContext context, OpenBankingAccess access, PsuDirectory psus)
    {
        var grant = await access.ConsentAsync(context);
        var granted = grant.Account(accountId);
        var account = granted is null ? null : await psus.AccountAsync(accountId, context.RequestAborted);
        return account is null
            ? throw OpenBankingError.NotFound("The account is not covered by this consent.").AsException()
            : (grant, granted!, account);
    }

    private static Links SelfLink(HttpContext context, IOptionsMonitor<BankOptions> options) =>
        new(OpenBankingPaths.Absolute(options.CurrentValue, context.Request.Path + context.Request.QueryString));

    private static IResult Ok<T>(T body, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type) =>
        TypedResults.Json(body, type, "application/json");
}
