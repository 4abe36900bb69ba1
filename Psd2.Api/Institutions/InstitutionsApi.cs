using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Psd2.Core.Banking;

namespace Psd2.Api.Institutions;

/// <param name="Standard">The API standard the bank speaks (berlin-group, uk-open-banking, stet): for information, the platform's API is the same for all.</param>
/// <param name="Country">ISO 3166-1 alpha-2.</param>
/// <param name="Payments">Whether payments can be initiated at this bank (POST /v1/users/{userId}/payments).</param>
public sealed record InstitutionResponse(
    string Id, string Name, string Standard, string Country, IReadOnlyList<string> ScaApproaches, int MaxConsentDays, int MaxHistoryDays, bool Payments);

public static class InstitutionsApi
{
    public static void AddInstitutions(this WebApplicationBuilder builder) => builder.AddInstitutionOptions();

    public static void MapInstitutionsApi(this RouteGroupBuilder v1)
    {
        var institutions = v1.MapGroup("/institutions").WithTags("Institutions");
        institutions.MapGet("/", (IOptions<InstitutionOptions> options) =>
            TypedResults.Ok(options.Value.Banks.Select(b => View(b.Key, b.Value)).ToList()))
            .WithName("ListInstitutions").WithSummary("The banks on offer and their capabilities.");
        institutions.MapGet("/{institutionId}", Results<Ok<InstitutionResponse>, ApiProblem<NotFound404>> (string institutionId, IOptions<InstitutionOptions> options) =>
            options.Value.Banks.TryGetValue(institutionId, out var bank) ? TypedResults.Ok(View(institutionId, bank)) : ApiProblems.NotFound("institution"))
            .WithName("GetInstitution").WithSummary("One bank on offer.");
    }

    private static InstitutionResponse View(string id, Institution bank) =>
        new(id, bank.Name, bank.Standard, bank.Country, bank.ScaApproaches, bank.MaxConsentDays, bank.MaxHistoryDays, bank.Payments);
}
