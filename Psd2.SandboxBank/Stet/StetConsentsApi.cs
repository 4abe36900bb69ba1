using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;
using Psd2.SandboxBank.Consents;
using Psd2.SandboxBank.Data;
using Psd2.SandboxBank.Psus;

namespace Psd2.SandboxBank.Stet;

/// <summary>
/// PUT /consents: the AISP tells the bank which of the accounts its token opens it will read balances and
/// transactions of. Each call replaces the previous one and answers 201 without a body, as STET says.
/// </summary>
public static class StetConsentsApi
{
    private const int MaxBodyBytes = 64 * 1024;

    public static void MapStetConsentsApi(this IEndpointRouteBuilder app) =>
        app.MapPut(StetPaths.Base + "/consents", PutAsync)
            .WithTags("STET: AISP").WithName("StetConsents").WithSummary("Forwarding the PSU consent").DisableAntiforgery();

    private static async Task<IResult> PutAsync(HttpContext context, StetAccess access, ConsentStore store, PsuDirectory psus)
    {
        var grant = await access.AuthorizeAsync(context);
        var body = await ReadBodyAsync(context.Request);
        if (body.Balances is not { } balances || body.Transactions is not { } transactions)
        {
            throw StetError.BadRequest("balances and transactions are required").AsException();
        }

        if (body.TrustedBeneficiaries is not { } trustedBeneficiaries || body.PsuIdentity is not { } psuIdentity)
        {
            throw StetError.BadRequest("trustedBeneficiaries and psuIdentity are required").AsException();
        }

        // This bank offers neither the trusted beneficiaries list nor the PSU's identity, so neither can be granted.
        if (trustedBeneficiaries || psuIdentity)
        {
            throw StetError.BadRequest("trustedBeneficiaries and psuIdentity are not offered by this bank; send false").AsException();
        }

        var accounts = new List<AccountSeed>();
        foreach (var granted in grant.Accounts)
        {
            if (await psus.AccountAsync(granted.ResourceId, context.RequestAborted) is { } account)
            {
                accounts.Add(account);
            }
        }

        var forBalances = Resolve(balances, accounts, "balances");
        var forTransactions = Resolve(transactions, accounts, "transactions");
        await store.ReplaceAccessAsync(grant.Consent.ConsentId, forBalances, forTransactions, context.RequestAborted);
        return Results.StatusCode(StatusCodes.Status201Created);
    }

    /// <summary>The bank's ids of the accounts a list names by IBAN; any account the token does not open is a 400.</summary>
    private static HashSet<string> Resolve(IReadOnlyList<AccountIdentification?> references, IReadOnlyList<AccountSeed> accounts, string field)
    {
        if (references.Count > 100)
        {
            throw StetError.BadRequest($"{field} names too many accounts").AsException();
        }

        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var reference in references)
        {
            if (reference?.Iban is not { Length: > 0 } iban)
            {
                throw StetError.BadRequest($"accounts in {field} are referenced by iban").AsException();
            }

            var account = accounts.FirstOrDefault(a => string.Equals(a.Iban, iban, StringComparison.OrdinalIgnoreCase)
                && (reference.Currency is null || reference.Currency == a.Currency));
            ids.Add(account?.ResourceId
                ?? throw StetError.BadRequest($"an account in {field} is not among the accounts this authorisation opens").AsException());
        }

        return ids;
    }

    /// <summary>The body as STET's Access; anything else (not JSON, too large, wrong types) is a 400 ErrorModel.</summary>
    private static async Task<Access> ReadBodyAsync(HttpRequest request)
    {
        if (!request.HasJsonContentType())
        {
            throw StetError.BadRequest("the body must be application/json").AsException();
        }

        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = MaxBodyBytes;
        }

        using var buffer = new MemoryStream();
        try
        {
            await request.Body.CopyToAsync(buffer, request.HttpContext.RequestAborted);
        }
        catch (BadHttpRequestException)
        {
            throw StetError.BadRequest("the request body could not be read or is too large").AsException();
        }

        try
        {
            buffer.Position = 0;
            return await JsonSerializer.DeserializeAsync(buffer, StetJson.Default.Access, request.HttpContext.RequestAborted)
                ?? throw StetError.BadRequest("the body must be a JSON object").AsException();
        }
        catch (JsonException)
        {
            throw StetError.BadRequest("the body is not valid JSON for this request").AsException();
        }
    }
}
