using Microsoft.EntityFrameworkCore;
using Psd2.Api.ClientApps;
using Psd2.Core.Accounts;
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

    public static void MapAccountsApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/v1/users/{userId:guid}/accounts", ListAsync).WithTags("Accounts").WithName("ListAccounts")
            .WithSummary("The user's accounts at every institution; an account keeps its id across consents (renewal, reconnection).")
            .Produces<List<AccountResponse>>().ProducesProblem(StatusCodes.Status404NotFound);
        var account = app.MapGroup("/v1/accounts/{accountId:guid}").WithTags("Accounts");
        account.MapGet("/", GetAsync).WithName("GetAccount").WithSummary("One account.")
            .Produces<AccountResponse>().ProducesProblem(StatusCodes.Status404NotFound);
        account.MapGet("/balances", BalancesAsync).WithName("ListBalances")
            .WithSummary("The account's balances as last synced (closingBooked, interimAvailable, expected, ...).")
            .Produces<List<BalanceResponse>>().ProducesProblem(StatusCodes.Status404NotFound);
    }

    private static async Task<IResult> ListAsync(Guid userId, HttpContext context, Psd2DbContext db)
    {
        var clientAppId = context.ClientAppId();
        if (!await db.Users.AnyAsync(u => u.Id == userId && u.ClientAppId == clientAppId, context.RequestAborted))
        {
            return ApiProblems.NotFound("user");
        }

        var accounts = await db.Accounts.AsNoTracking().Where(a => a.UserId == userId && a.ClientAppId == clientAppId)
            .OrderBy(a => a.Iban).ThenBy(a => a.Currency).ThenBy(a => a.Id).ToListAsync(context.RequestAborted);
        return TypedResults.Ok(accounts.Select(AccountResponse.Of).ToList());
    }

    private static async Task<IResult> GetAsync(Guid accountId, HttpContext context, Psd2DbContext db) =>
        await db.Accounts.AsNoTracking().SingleOrDefaultAsync(a => a.Id == accountId && a.ClientAppId == context.ClientAppId(), context.RequestAborted) is { } account
            ? TypedResults.Ok(AccountResponse.Of(account))
            : ApiProblems.NotFound("account");

    private static Task<IResult> BalancesAsync(Guid accountId, HttpContext context, Psd2DbContext db, AccountCache cache) =>
        AccountReads.CachedAsync(context, db, cache, accountId, "balances", async cancellationToken =>
        {
            var balances = await db.Balances.AsNoTracking().Where(b => b.AccountId == accountId)
                .OrderBy(b => b.BalanceType).ThenBy(b => b.Currency).ToListAsync(cancellationToken);
            return AccountReads.Json(context, balances.Select(BalanceResponse.Of).ToList());
        });
}
