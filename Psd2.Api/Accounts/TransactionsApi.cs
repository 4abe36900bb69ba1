using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using Psd2.Api.ClientApps;
using Psd2.Core.Persistence;

namespace Psd2.Api.Accounts;

/// <summary>An account's transactions, newest first, filtered and paged by an opaque keyset cursor; one with the bank's own JSON.</summary>
public static class TransactionsApi
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 500;

    public static void MapTransactionsApi(this RouteGroupBuilder v1)
    {
        var transactions = v1.MapGroup("/accounts/{accountId:guid}/transactions").WithTags("Accounts");
        transactions.MapGet("/", ListAsync).WithName("ListTransactions")
            .WithSummary("The account's transactions, newest first (booking date, or value date while pending, then id), filtered, paged by cursor.")
            .WithTransactionFilterParameters()
            .Produces<TransactionPage>(); // served as JSON written once and cached, so declared here rather than by the return type
        transactions.MapGet("/{transactionId:guid}", GetAsync).WithName("GetTransaction")
            .WithSummary("One transaction, with the bank's own JSON for it (raw).");
    }

    /// <param name="limit">Transactions per page, 1 to 500; 100 by default.</param>
    /// <param name="cursor">The nextCursor of the previous page, with the same filters.</param>
    private static async Task<Results<FileContentHttpResult, ApiProblem<NotFound404>, ApiProblem<BadRequest400>>> ListAsync(
        Guid accountId, string? limit, string? cursor, Caller caller, HttpRequest request, NpgsqlDataSource db, AccountCache cache,
        CancellationToken cancellationToken)
    {
        var (filter, error) = TransactionFilter.Parse(request.Query);
        if (filter is null)
        {
            return new ApiProblem<BadRequest400>(error!);
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
                return ApiProblems.BadRequest("cursor_invalid", "The cursor is not one this API issued for this account and these filters.");
            }

            after = (sortDate, id);
        }

        return await AccountReads.CachedAsync(caller, request, db, cache, accountId, "transactions:" + PageKey(filter, size, cursor),
            readCancellation => AccountReads.ReadOwnedAsync(db, accountId, caller, TransactionRows.List(accountId, filter, after, size + 1),
                async (rows, rowsCancellation) => JsonSerializer.SerializeToUtf8Bytes(await PageAsync(rows, accountId, filter, size, rowsCancellation), AccountJsonContext.Default.TransactionPage), readCancellation),
            cancellationToken) is { } page
            ? page
            : ApiProblems.NotFound("account");
    }

    /// <summary>Up to <paramref name="size"/> transactions of the rows (one more tells whether a next page exists), and the cursor to it.</summary>
    private static async Task<TransactionPage> PageAsync(NpgsqlDataReader rows, Guid accountId, TransactionFilter filter, int size, CancellationToken cancellationToken)
    {
        var items = new List<TransactionResponse>(size);
        var last = default(DateOnly);
        string? next = null;
        while (await rows.ReadAsync(cancellationToken))
        {
            if (items.Count == size)
            {
                next = TransactionCursor.Write(accountId, filter, last, items[^1].Id);
                break;
            }

            var (transaction, sortDate) = TransactionRows.Read(rows);
            items.Add(transaction);
            last = sortDate;
        }

        return new TransactionPage(items, next);
    }

    private static async Task<Results<Ok<TransactionResponse>, ApiProblem<NotFound404>>> GetAsync(
        Guid accountId, Guid transactionId, Caller caller, Psd2DbContext db, NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        if (!await AccountReads.IsOwnedAsync(dataSource, accountId, caller, cancellationToken))
        {
            return ApiProblems.NotFound("account");
        }

        var t = await db.Transactions.AsNoTracking().SingleOrDefaultAsync(t => t.Id == transactionId && t.AccountId == accountId, cancellationToken);
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
