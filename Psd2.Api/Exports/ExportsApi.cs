using System.Data;
using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.EntityFrameworkCore;
using Microsoft.OpenApi;
using Psd2.Api.Accounts;
using Psd2.Api.ClientApps;
using Psd2.Core.ClientApps;
using Psd2.Core.Persistence;

namespace Psd2.Api.Exports;

/// <summary>A user's account data as a file: the accounts, balances and transactions as .xlsx, or the transactions as .csv.</summary>
public static class ExportsApi
{
    private delegate Task ExportWriter(ExportRows rows, ExportCounts counts, Stream destination, CancellationToken cancellationToken);

    public static void MapExportsApi(this RouteGroupBuilder v1) =>
        v1.MapGet("/users/{userId:guid}/export", ExportAsync).WithTags("Exports").WithName("ExportUserData")
            .WithSummary("The user's accounts, balances and transactions as an .xlsx workbook (format=xlsx), or the transactions as CSV (format=csv); "
                + "accountId narrows it to one account, and the transaction filters are the read API's (dateFrom, dateTo, status, minAmount, maxAmount, text).")
            .Produces<Stream>(StatusCodes.Status200OK, XlsxExport.ContentType, CsvExport.ContentType)
            .WithTransactionFilterParameters()
            .AddOpenApiOperationTransformer((operation, _, _) =>
            {
                // Checked by the handler itself, for a validation_failed that names it; required all the same.
                ((OpenApiParameter)operation.Parameters!.Single(p => p.Name == "format")).Required = true;
                return Task.CompletedTask;
            });

    /// <param name="format">xlsx (accounts, balances and transactions, one sheet each) or csv (the transactions).</param>
    /// <param name="accountId">Only this account of the user.</param>
    private static async Task<Results<PushStreamHttpResult, ApiProblem<NotFound404>, ApiProblem<BadRequest400>>> ExportAsync(
        Guid userId, string? format, string? accountId, Caller caller, HttpContext context, Psd2DbContext db, TimeProvider time, CancellationToken cancellationToken)
    {
        if (!await db.Users.OwnedBy(caller.ClientAppId).AnyAsync(u => u.Id == userId, cancellationToken))
        {
            return ApiProblems.NotFound("user");
        }

        if (format is not ("xlsx" or "csv"))
        {
            return ApiProblems.Invalid("format", "xlsx or csv.");
        }

        Guid? account = null;
        if (!string.IsNullOrEmpty(accountId))
        {
            if (!Guid.TryParse(accountId, out var id))
            {
                return ApiProblems.Invalid("accountId", "An account id of this user.");
            }

            account = id;
        }

        var (filter, error) = TransactionFilter.Parse(context.Request.Query);
        if (error is not null)
        {
            return new ApiProblem<BadRequest400>(error);
        }

        if (account is not null && !await db.Accounts.OwnedBy(caller.ClientAppId).AnyAsync(a => a.Id == account && a.UserId == userId, cancellationToken))
        {
            return ApiProblems.NotFound("account");
        }

        var scope = new ExportScope(caller, userId, account, filter!);
        var day = time.GetUtcNow().ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        context.Response.Headers.CacheControl = "no-store";
        return format == "xlsx"
            ? TypedResults.Stream(body => RunAsync(db, time, scope, format, body, XlsxExport.WriteAsync, cancellationToken), XlsxExport.ContentType, $"bank-data-{day}.xlsx")
            : TypedResults.Stream(body => RunAsync(db, time, scope, format, body, CsvExport.WriteAsync, cancellationToken), CsvExport.ContentType, $"transactions-{day}.csv");
    }

    /// <summary>
    /// Writes the export from one snapshot of the database, so that its sheets agree even while a sync commits, then
    /// records <c>data.exported</c> with the format, the scope and the rows written; also when the client hung up part
    /// way (<c>completed</c> false), since those rows left the platform all the same. Never an IBAN.
    /// </summary>
    private static async Task RunAsync(
        Psd2DbContext db, TimeProvider time, ExportScope scope, string format, Stream body, ExportWriter write, CancellationToken cancellationToken)
    {
        var counts = new ExportCounts();
        var completed = false;
        try
        {
            await using (await db.Database.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken))
            {
                await write(new ExportRows(db, scope), counts, body, cancellationToken);
            }

            completed = true;
        }
        finally
        {
            db.AuditEvents.Add(AuditRecords.For(scope.Caller, time, "data.exported", scope.UserId, details: new
            {
                format,
                scope.AccountId,
                scope.Filter,
                rows = new { counts.Accounts, counts.Balances, counts.Transactions },
                completed,
            }));
            await db.SaveChangesAsync(CancellationToken.None);
        }
    }
}
