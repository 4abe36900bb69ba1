using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Psd2.Core.Persistence;

namespace Psd2.Api.Accounts;

/// <summary>An account's transactions, newest first, filtered and paged by an opaque keyset cursor; one with the bank's own JSON.</summary>
public static class TransactionsApi
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 500;

    public static void MapTransactionsApi(this IEndpointRouteBuilder app)
    {
        var transactions = app.MapGroup("/v1/accounts/{accountId:guid}/transactions").WithTags("Accounts");
        transactions.MapGet("/", ListAsync).WithName("ListTransactions")
            .WithSummary("The account's transactions, newest first (booking date, or value date while pending, then id), filtered, paged by cursor.")
            .WithTransactionFilterParameters()
            .Produces<TransactionPage>().ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound);
        transactions.MapGet("/{transactionId:guid}", GetAsync).WithName("GetTransaction")
            .WithSummary("One transaction, with the bank's own JSON for it (raw).")
            .Produces<TransactionResponse>().ProducesProblem(StatusCodes.Status404NotFound);
    }

    /// <param name="limit">Transactions per page, 1 to 500; 100 by default.</param>
    /// <param name="cursor">The nextCursor of the previous page, with the same filters.</param>
    private static async Task<IResult> ListAsync(Guid accountId, string? limit, string? cursor, HttpContext context, Psd2DbContext db, AccountCache cache)
    {
        var (filter, error) = TransactionFilter.Parse(context.Request.Query);
        if (filter is null)
        {
            return ApiProblems.Problem(error!);
        }

        var size = DefaultLimit;
        if (limit is not null && (!int.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out size) || size is < 1 or > MaxLimit))
        {
            return ApiProblems.Invalid("limit", $"A whole number from 1 to {MaxLimit}.");
        }

        (DateOnly SortDate, Guid Id)? after = null;
        if (cursor is not null)
        {
            if (!TransactionCursor.TryRead(cursor, accountId, filter, out var sortDate, out var id))
            {
                return ApiProblems.Problem(StatusCodes.Status400BadRequest, "cursor_invalid", "The cursor is not one this API issued for this account and these filters.");
            }

            after = (sortDate, id);
        }

        return await AccountReads.CachedAsync(context, db, cache, accountId, "transactions:" + PageKey(filter, size, cursor),
            async cancellationToken => AccountReads.Json(context, await PageAsync(db, accountId, filter, size, after, cancellationToken)));
    }

    private static async Task<TransactionPage> PageAsync(
        Psd2DbContext db, Guid accountId, TransactionFilter filter, int size, (DateOnly SortDate, Guid Id)? after, CancellationToken cancellationToken)
    {
        var query = filter.Apply(db.Transactions.AsNoTracking().Where(t => t.AccountId == accountId));
        if (after is { } position)
        {
            // A row comparison, which PostgreSQL answers from ix_transactions_account_id_sort_date_id.
            query = query.Where(t => EF.Functions.LessThan(ValueTuple.Create(t.SortDate, t.Id), ValueTuple.Create(position.SortDate, position.Id)));
        }

        var rows = await query.OrderByDescending(t => t.SortDate).ThenByDescending(t => t.Id).Take(size + 1)
            .Select(t => new
            {
                t.SortDate,
                Item = new TransactionResponse(
                    t.Id, t.AccountId, Amounts.Shown(t.Amount), t.Currency, t.BookingDate, t.ValueDate, t.Status, t.CounterpartyName,
                    t.CounterpartyIban, t.Remittance, t.BankTransactionCode, t.BankTransactionId, t.EntryReference, null),
            })
            .ToListAsync(cancellationToken);
        var next = rows.Count > size ? TransactionCursor.Write(accountId, filter, rows[size - 1].SortDate, rows[size - 1].Item.Id) : null;
        return new TransactionPage(rows.Take(size).Select(r => r.Item).ToList(), next);
    }

    private static async Task<IResult> GetAsync(Guid accountId, Guid transactionId, HttpContext context, Psd2DbContext db)
    {
        if (!await AccountReads.IsOwnedAsync(db, accountId, context))
        {
            return ApiProblems.NotFound("account");
        }

        var t = await db.Transactions.AsNoTracking().SingleOrDefaultAsync(t => t.Id == transactionId && t.AccountId == accountId, context.RequestAborted);
        return t is null
            ? ApiProblems.NotFound("transaction")
            : TypedResults.Ok(new TransactionResponse(
                t.Id, t.AccountId, Amounts.Shown(t.Amount), t.Currency, t.BookingDate, t.ValueDate, t.Status, t.CounterpartyName,
                t.CounterpartyIban, t.Remittance, t.BankTransactionCode, t.BankTransactionId, t.EntryReference, JsonElement.Parse(t.Raw)));
    }

    /// <summary>The page's part of its cache key: the filters, the size and the cursor, hashed to a fixed length.</summary>
    private static string PageKey(TransactionFilter filter, int size, string? cursor) =>
        Base64Url.EncodeToString(SHA256.HashData(Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{filter}\n{size}\n{cursor}")))[..18]);
}
