using System.Data;
using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Psd2.Api.Accounts;
using Psd2.Api.ClientApps;
using Psd2.Core.Persistence;

namespace Psd2.Api.Exports;

/// <summary>A user's account data as a file: the accounts, balances and transactions as .xlsx, or the transactions as .csv.</summary>
public static class ExportsApi
{
    private delegate Task ExportWriter(ExportRows rows, ExportCounts counts, Stream destination, CancellationToken cancellationToken);

    public static void MapExportsApi(this IEndpointRouteBuilder app) =>
        app.MapGet("/v1/users/{userId:guid}/export", ExportAsync).WithTags("Exports").WithName("ExportUserData")
            .WithSummary("The user's accounts, balances and transactions as an .xlsx workbook (format=xlsx), or the transactions as CSV (format=csv); "
                + "accountId narrows it to one account, and the transaction filters are the read API's (dateFrom, dateTo, status, minAmount, maxAmount, text).")
            .Produces(StatusCodes.Status200OK, contentType: XlsxExport.ContentType, additionalContentTypes: CsvExport.ContentType)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound);

    private static async Task<IResult> ExportAsync(Guid userId, HttpContext context, Psd2DbContext db, TimeProvider time)
    {
        var clientAppId = context.ClientAppId();
        if (!await db.Users.AnyAsync(u => u.Id == userId && u.ClientAppId == clientAppId, context.RequestAborted))
        {
            return ApiProblems.NotFound("user");
        }

        var query = context.Request.Query;
        var format = query["format"].ToString();
        if (format is not ("xlsx" or "csv"))
        {
            return ApiProblems.Invalid("format", "xlsx or csv.");
        }

        Guid? accountId = null;
        if (query["accountId"].ToString() is { Length: > 0 } account)
        {
            if (!Guid.TryParse(account, out var id))
            {
                return ApiProblems.Invalid("accountId", "An account id of this user.");
            }

            accountId = id;
        }

        var (filter, error) = TransactionFilter.Parse(query);
        if (error is not null)
        {
            return ApiProblems.Problem(error);
        }

        if (accountId is not null && !await db.Accounts.AnyAsync(a => a.Id == accountId && a.UserId == userId && a.ClientAppId == clientAppId, context.RequestAborted))
        {
            return ApiProblems.NotFound("account");
        }

        var scope = new ExportScope(clientAppId, userId, accountId, filter!);
        var day = time.GetUtcNow().ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        context.Response.Headers.CacheControl = "no-store";
        return format == "xlsx"
            ? TypedResults.Stream(body => RunAsync(context, db, time, scope, format, body, XlsxExport.WriteAsync), XlsxExport.ContentType, $"bank-data-{day}.xlsx")
            : TypedResults.Stream(body => RunAsync(context, db, time, scope, format, body, CsvExport.WriteAsync), CsvExport.ContentType, $"transactions-{day}.csv");
    }

    /// <summary>
    /// Writes the export from one snapshot of the database, so that its sheets agree even while a sync commits, then
    /// records <c>data.exported</c> with the format, the scope and the rows written; also when the client hung up part
    /// way (<c>completed</c> false), since those rows left the platform all the same. Never an IBAN.
    /// </summary>
    private static async Task RunAsync(HttpContext context, Psd2DbContext db, TimeProvider time, ExportScope scope, string format, Stream body, ExportWriter write)
    {
        var counts = new ExportCounts();
        var completed = false;
        try
        {
            await using (await db.Database.BeginTransactionAsync(IsolationLevel.RepeatableRead, context.RequestAborted))
            {
                await write(new ExportRows(db, scope), counts, body, context.RequestAborted);
            }

            completed = true;
        }
        finally
        {
            db.AuditEvents.Add(AuditRecords.For(context, time, "data.exported", scope.ClientAppId, scope.UserId, details: new
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
