using System.Globalization;
using Microsoft.Extensions.Options;
using Psd2.SandboxBank.BerlinGroup;
using Psd2.SandboxBank.Data;
using Psd2.SandboxBank.Psus;
using Psd2.SandboxBank.Time;

namespace Psd2.SandboxBank.Accounts;

/// <summary>Berlin Group AIS reads: account list, account details, balances, and transactions paged through _links.next.</summary>
public static class AccountsApi
{
    public static void MapAccountsApi(this IEndpointRouteBuilder app)
    {
        var accounts = app.MapGroup("/v1/accounts").WithTags("Accounts");
        accounts.MapGet("/", ListAsync).WithName("GetAccountList");
        accounts.MapGet("/{accountId}", GetAsync).WithName("ReadAccountDetails");
        accounts.MapGet("/{accountId}/balances", BalancesAsync).WithName("GetBalances");
        accounts.MapGet("/{accountId}/transactions", TransactionsAsync).WithName("GetTransactionList");
    }

    private static async Task<IResult> ListAsync(HttpContext context, AisAccess access, PsuDirectory psus, AccountViews views, BankClock clock)
    {
        var withBalance = TransactionQuery.ParseWithBalance(context.Request.Query);
        var grant = await access.AuthorizeAsync(context);
        await access.CountAsync(context, grant, "accounts", "");
        var today = clock.Today;
        var list = new List<AccountDetails>();
        foreach (var granted in grant.Accounts)
        {
            var account = await psus.AccountAsync(granted.ResourceId, context.RequestAborted);
            if (account is not null)
            {
                var balances = withBalance && granted.Balances ? views.Balances(account, today) : null;
                list.Add(AccountViews.Details(account, granted.Balances, granted.Transactions, balances));
            }
        }

        return TypedResults.Ok(new AccountListResponse(list));
    }

    private static async Task<IResult> GetAsync(string accountId, HttpContext context, AisAccess access, PsuDirectory psus, AccountViews views, BankClock clock)
    {
        var withBalance = TransactionQuery.ParseWithBalance(context.Request.Query);
        var (grant, granted, account) = await AccountAsync(accountId, context, access, psus);
        if (withBalance && !granted.Balances)
        {
            return TppError.ConsentInvalid("The consent does not cover balances of this account.");
        }

        await access.CountAsync(context, grant, "account", accountId);
        var balances = withBalance ? views.Balances(account, clock.Today) : null;
        return TypedResults.Ok(new AccountDetailsResponse(AccountViews.Details(account, granted.Balances, granted.Transactions, balances)));
    }

    private static async Task<IResult> BalancesAsync(string accountId, HttpContext context, AisAccess access, PsuDirectory psus, AccountViews views, BankClock clock)
    {
        var (grant, granted, account) = await AccountAsync(accountId, context, access, psus);
        if (!granted.Balances)
        {
            return TppError.ConsentInvalid("The consent does not cover balances of this account.");
        }

        await access.CountAsync(context, grant, "balances", accountId);
        return TypedResults.Ok(new BalancesResponse(new AccountReference(account.Iban, account.Currency), views.Balances(account, clock.Today)));
    }

    private static async Task<IResult> TransactionsAsync(
        string accountId, HttpContext context, AisAccess access, PsuDirectory psus, AccountViews views, TransactionGenerator generator,
        PageKeys pageKeys, BankClock clock, IOptionsMonitor<BankOptions> options)
    {
        var today = clock.Today;
        var query = TransactionQuery.Parse(context.Request.Query, today);
        var (grant, granted, account) = await AccountAsync(accountId, context, access, psus);
        if (!granted.Transactions)
        {
            return TppError.ConsentInvalid("The consent does not cover transactions of this account.");
        }

        if (query.WithBalance && !granted.Balances)
        {
            return TppError.ConsentInvalid("The consent does not cover balances of this account.");
        }

        PageCursor cursor;
        if (query.PageKey is null)
        {
            await access.CountAsync(context, grant, "transactions", accountId);
            cursor = new PageCursor(grant.Consent.ConsentId, accountId, query.BookingStatus, query.DateFrom, query.DateTo, query.DateTo, 0, 1, today);
        }
        else
        {
            cursor = pageKeys.Unprotect(query.PageKey) is { } key && key.ConsentId == grant.Consent.ConsentId && key.ResourceId == accountId && key.IssuedOn == today
                ? key
                : throw TppError.FormatError("pageKey is invalid or has expired; start the list again.", "pageKey").AsException();
        }

        var links = new Dictionary<string, Href> { ["account"] = new(AccountViews.Path(account)) };
        IReadOnlyList<TransactionDetails>? booked = null;
        if (cursor.BookingStatus is "booked" or "both")
        {
            var (page, next) = TransactionPager.Page(generator, account, cursor, options.CurrentValue.TransactionsPageSize, AccountViews.Transaction);
            booked = page;
            if (next is not null)
            {
                links["next"] = new(NextLink(account, cursor, pageKeys.Protect(next)));
            }
        }

        // Pending transactions are few and all current ones are shown, whatever the dates; they come with the first page only.
        IReadOnlyList<TransactionDetails>? pending = cursor.BookingStatus is "pending" or "both"
            ? cursor.Page == 1 ? generator.PendingOn(account, today).Select(AccountViews.Transaction).ToList() : []
            : null;

        var report = new AccountReport(booked, pending, links);
        var accountReference = new AccountReference(account.Iban, account.Currency);
        return TypedResults.Ok(new TransactionsResponse(accountReference, report, query.WithBalance ? views.Balances(account, today) : null));
    }

    private static string NextLink(AccountSeed account, PageCursor cursor, string pageKey) =>
        string.Create(CultureInfo.InvariantCulture,
            $"{AccountViews.Path(account)}/transactions?bookingStatus={cursor.BookingStatus}&dateFrom={cursor.DateFrom:yyyy-MM-dd}&dateTo={cursor.DateTo:yyyy-MM-dd}&pageKey={pageKey}");

    private static async Task<(AisGrant Grant, Consents.ConsentedAccount Granted, AccountSeed Account)> AccountAsync(
        string accountId, HttpContext context, AisAccess access, PsuDirectory psus)
    {
        var grant = await access.AuthorizeAsync(context);
        var granted = grant.Account(accountId);
        var account = granted is null ? null : await psus.AccountAsync(accountId, context.RequestAborted);
        return account is null
            ? throw TppError.ResourceUnknown("The account is not covered by this consent.").AsException()
            : (grant, granted!, account);
    }
}
