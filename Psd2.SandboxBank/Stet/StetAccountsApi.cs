using System.Globalization;
using Microsoft.Extensions.Options;
using Psd2.SandboxBank.Accounts;
using Psd2.SandboxBank.Consents;
using Psd2.SandboxBank.Data;
using Psd2.SandboxBank.Psus;
using Psd2.SandboxBank.Time;

namespace Psd2.SandboxBank.Stet;

/// <summary>
/// The AISP reads: the accounts the token opens (never counted, so checking a consent costs no read), and the
/// balances and transactions of the accounts the last PUT /consents named, the transactions newest first and paged
/// through _links.next with the bank's opaque, MAC-protected page keys (the same pager as the other dialects; the
/// short form of the key, as the spec limits a link to 140 characters).
/// </summary>
public static class StetAccountsApi
{
    private const string Path = StetPaths.Base + "/accounts";
    private const string HalJson = "application/hal+json; charset=utf-8";

    public static void MapStetAccountsApi(this IEndpointRouteBuilder app)
    {
        var accounts = app.MapGroup(Path).WithTags("STET: AISP");
        accounts.MapGet("/", ListAsync).WithName("StetAccounts").WithSummary("Retrieval of the PSU accounts");
        accounts.MapGet("/{accountResourceId}/balances", BalancesAsync).WithName("StetBalances").WithSummary("Retrieval of an account balances report");
        accounts.MapGet("/{accountResourceId}/transactions", TransactionsAsync).WithName("StetTransactions").WithSummary("Retrieval of an account transaction set");
    }

    private static async Task<IResult> ListAsync(HttpContext context, StetAccess access, PsuDirectory psus, IOptionsMonitor<BankOptions> options)
    {
        var grant = await access.AuthorizeAsync(context);
        var bank = options.CurrentValue;
        var list = new List<AccountResource>();
        foreach (var granted in grant.Accounts)
        {
            if (await psus.AccountAsync(granted.ResourceId, context.RequestAborted) is { } account)
            {
                list.Add(StetViews.Account(account, granted.Balances, granted.Transactions, bank));
            }
        }

        return Hal(new HalAccounts(list, new PsuContextLinks(Self(context, bank))), StetJson.Default.HalAccounts);
    }

    private static async Task<IResult> BalancesAsync(
        string accountResourceId, HttpContext context, StetAccess access, PsuDirectory psus, StetViews views, IOptionsMonitor<BankOptions> options)
    {
        var (grant, granted, account) = await AccountAsync(accountResourceId, context, access, psus);
        if (!granted.Balances)
        {
            throw StetError.Forbidden("account not consented for balances").AsException();
        }

        await access.CountAsync(context, grant, "balances", account.ResourceId);
        var bank = options.CurrentValue;
        var path = StetViews.AccountPath(account);
        var links = new BalancesLinks(
            Self(context, bank), new GenericLink(StetPaths.Absolute(bank, Path)),
            granted.Transactions ? new GenericLink(StetPaths.Absolute(bank, path + "/transactions")) : null);
        return Hal(new HalBalances(views.Balances(account), links), StetJson.Default.HalBalances);
    }

    private static async Task<IResult> TransactionsAsync(
        string accountResourceId, HttpContext context, StetAccess access, PsuDirectory psus, StetViews views, TransactionGenerator generator,
        PageKeys pageKeys, BankClock clock, IOptionsMonitor<BankOptions> options)
    {
        var today = clock.Today;
        var (grant, granted, account) = await AccountAsync(accountResourceId, context, access, psus);
        if (!granted.Transactions)
        {
            throw StetError.Forbidden("account not consented for transactions").AsException();
        }

        var query = context.Request.Query;
        PageCursor cursor;
        if (query["pageKey"] is { Count: > 0 } pageKey)
        {
            cursor = pageKeys.UnprotectShort(pageKey.ToString(), grant.Consent.ConsentId, account.ResourceId) is { } key && key.IssuedOn == today
                ? key
                : throw StetError.BadRequest("pageKey is invalid or has expired; start the list again").AsException();
        }
        else
        {
            var (from, to) = Period(query, grant.Terms, account, today);
            await access.CountAsync(context, grant, "transactions", account.ResourceId);
            cursor = new PageCursor(grant.Consent.ConsentId, account.ResourceId, "both", from, to, to, 0, 1, today);
        }

        var bank = options.CurrentValue;
        var (booked, next) = cursor.DateFrom <= cursor.DateTo
            ? TransactionPager.Page(generator, account, cursor, bank.TransactionsPageSize, views.Transaction)
            : ([], null);

        // Pending entries are few and all current ones are shown with the first page of a list that reaches today.
        IReadOnlyList<Transaction> transactions = cursor.Page == 1 && cursor.DateTo >= today
            ? generator.PendingOn(account, today).Select(views.Transaction).Concat(booked).ToList()
            : booked;

        var path = StetViews.AccountPath(account);
        var links = new TransactionsLinks(
            Self(context, bank), new GenericLink(StetPaths.Absolute(bank, Path)), new GenericLink(StetPaths.Absolute(bank, path + "/balances")),
            next is null ? null : new GenericLink(StetPaths.Absolute(bank, $"{path}/transactions?pageKey={pageKeys.ProtectShort(next)}")));
        return Hal(new HalTransactions(transactions, links), StetJson.Default.HalTransactions);
    }

    /// <summary>
    /// The booking days asked for: dateFrom inclusive, dateTo exclusive, as the spec defines them; a time given with
    /// either is ignored. Without dateFrom the list starts as far back as the token may read: 90 days, or the
    /// account's first day with extended_transaction_history. Asking further back without that scope is a 403.
    /// </summary>
    private static (DateOnly From, DateOnly To) Period(IQueryCollection query, StetConsentTerms terms, AccountSeed account, DateOnly today)
    {
        foreach (var unsupported in new[] { "afterEntryReference", "entryReferenceFrom", "entryReferenceto", "entryReferenceTo" })
        {
            if (query.ContainsKey(unsupported))
            {
                throw StetError.BadRequest($"{unsupported} is not supported; use dateFrom and dateTo").AsException();
            }
        }

        var oldest = today.AddDays(-StetScopes.StandardHistoryDays);
        var from = Date(query, "dateFrom") ?? (terms.ExtendedTransactionHistory ? account.OpenedOn : oldest);
        var to = Date(query, "dateTo") is { } exclusive ? exclusive.AddDays(-1) : today;
        if (from > today || from > to)
        {
            throw StetError.BadRequest("dateFrom must lie before dateTo and not in the future").AsException();
        }

        if (from < oldest && !terms.ExtendedTransactionHistory)
        {
            throw StetError.Forbidden("transactions older than 90 days need the extended_transaction_history scope").AsException();
        }

        // Nothing was booked before the account opened; the page keys carry days as distances from today.
        return (from < account.OpenedOn ? account.OpenedOn : from, to > today ? today : to);
    }

    private static DateOnly? Date(IQueryCollection query, string name)
    {
        if (!query.TryGetValue(name, out var value))
        {
            return null;
        }

        var text = value.Count == 1 ? value.ToString() : "";
        // A date, or a date-time whose date counts (the spec types them date-time; TPPs send both).
        return text.Length >= 10 && DateOnly.TryParseExact(text.AsSpan(0, 10), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)
            && (text.Length == 10 || text[10] == 'T')
            ? date
            : throw StetError.BadRequest($"{name} must be an ISO 8601 date or date-time").AsException();
    }

    /// <summary>An account the token opens; any other is unknown here (404).</summary>
    private static async Task<(StetGrant Grant, ConsentedAccount Granted, AccountSeed Account)> AccountAsync(
        string accountResourceId, HttpContext context, StetAccess access, PsuDirectory psus)
    {
        var grant = await access.AuthorizeAsync(context);
        var granted = StetPaths.BankResourceId(accountResourceId) is { } resourceId ? grant.Account(resourceId) : null;
        var account = granted is null ? null : await psus.AccountAsync(granted.ResourceId, context.RequestAborted);
        return account is null
            ? throw StetError.NotFound("account unknown").AsException()
            : (grant, granted!, account);
    }

    private static GenericLink Self(HttpContext context, BankOptions bank) =>
        new(StetPaths.Absolute(bank, context.Request.Path + context.Request.QueryString));

    private static IResult Hal<T>(T body, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type) => TypedResults.Json(body, type, HalJson);
}
