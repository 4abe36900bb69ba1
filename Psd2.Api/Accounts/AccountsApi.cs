using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using Psd2.Api.ClientApps;
using Psd2.Core.Accounts;
using Psd2.Core.ClientApps;
using Psd2.Core.Persistence;

namespace Psd2.Api.Accounts;

/// <summary>A user's accounts as last synced, and their balances. Another client app's account is as unknown as a missing one.</summary>
public static class AccountsApi
{
    public static void AddAccounts(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<AccountCache>();
        builder.Services.ConfigureHttpJsonOptions(options => options.SerializerOptions.TypeInfoResolverChain.Insert(0, AccountJsonContext.Default));
    }

    public static void MapAccountsApi(this RouteGroupBuilder v1)
    {
        v1.MapGet("/users/{userId:guid}/accounts", ListAsync).WithTags("Accounts").WithName("ListAccounts")
            .WithSummary("The user's accounts at every institution; an account keeps its id across consents (renewal, reconnection).");
        var account = v1.MapGroup("/accounts/{accountId:guid}").WithTags("Accounts");
        account.MapGet("/", GetAsync).WithName("GetAccount").WithSummary("One account.");
        // Served as JSON written once and cached, so the 200's schema is declared here rather than by the return type.
        account.MapGet("/balances", BalancesAsync).WithName("ListBalances")
            .WithSummary("The account's balances as last synced (closingBooked, interimAvailable, expected, ...).")
            .Produces<List<BalanceResponse>>();
    }

    private static async Task<Results<Ok<List<AccountResponse>>, ApiProblem<NotFound404>>> ListAsync(
        Guid userId, Caller caller, Psd2DbContext db, CancellationToken cancellationToken)
    {
        if (!await db.Users.OwnedBy(caller.ClientAppId).AnyAsync(u => u.Id == userId, cancellationToken))
        {
            return ApiProblems.NotFound("user");
        }

        var accounts = await db.Accounts.AsNoTracking().OwnedBy(caller.ClientAppId).Where(a => a.UserId == userId)
            .OrderBy(a => a.Iban).ThenBy(a => a.Currency).ThenBy(a => a.Id).ToListAsync(cancellationToken);
        return TypedResults.Ok(accounts.Select(AccountResponse.Of).ToList());
    }

    private static async Task<Results<Ok<AccountResponse>, ApiProblem<NotFound404>>> GetAsync(
        Guid accountId, Caller caller, Psd2DbContext db, CancellationToken cancellationToken) =>
        await db.Accounts.AsNoTracking().OwnedBy(caller.ClientAppId).SingleOrDefaultAsync(a => a.Id == accountId, cancellationToken) is { } account
            ? TypedResults.Ok(AccountResponse.Of(account))
            : ApiProblems.NotFound("account");

    private static async Task<Results<FileContentHttpResult, ApiProblem<NotFound404>>> BalancesAsync(
        Guid accountId, Caller caller, HttpRequest request, NpgsqlDataSource db, AccountCache cache, CancellationToken cancellationToken) =>
        await AccountReads.CachedAsync(caller, request, db, cache, accountId, "balances", readCancellation => AccountReads.ReadOwnedAsync(db, accountId, caller,
            new NpgsqlBatchCommand("""
                SELECT balance_type, amount, currency, reference_date, updated_at FROM balances WHERE account_id = $1 ORDER BY balance_type, currency
                """) { Parameters = { new() { Value = accountId } } },
            BalancesJsonAsync, readCancellation), cancellationToken) is { } balances
            ? balances
            : ApiProblems.NotFound("account");

    private static async Task<byte[]> BalancesJsonAsync(NpgsqlDataReader rows, CancellationToken cancellationToken)
    {
        var balances = new List<BalanceResponse>();
        while (await rows.ReadAsync(cancellationToken))
        {
            balances.Add(new BalanceResponse(rows.GetString(0), Amounts.Shown(rows.GetDecimal(1)), rows.GetString(2),
                rows.IsDBNull(3) ? null : rows.GetFieldValue<DateOnly>(3), rows.GetFieldValue<DateTimeOffset>(4)));
        }

        return JsonSerializer.SerializeToUtf8Bytes(balances, AccountJsonContext.Default.ListBalanceResponse);
    }
}
