using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace Psd2.Api.Institutions;

/// <summary>A bank on offer and what it supports, from configuration (<c>Institutions:&lt;id&gt;</c>).</summary>
public sealed class Institution
{
    [Required] public string Name { get; set; } = "";
    /// <summary>The API standard its connector speaks, e.g. berlin-group.</summary>
    [Required] public string Standard { get; set; } = "";
    [MinLength(1)] public List<string> ScaApproaches { get; set; } = [];
    [Range(1, 3650)] public int MaxConsentDays { get; set; }
    [Range(1, 36500)] public int MaxHistoryDays { get; set; }
    /// <summary>The service-discovery name of the bank's API (its services__&lt;name&gt; entries).</summary>
    [Required] public string Service { get; set; } = "";
    /// <summary>The token endpoint on the bank's mutual-TLS host, for decoupled orders (redirect learns it from the OAuth metadata).</summary>
    [Required] public string TokenPath { get; set; } = "/oauth2/token";
    /// <summary>How often the bank lets a TPP poll a decoupled order.</summary>
    public TimeSpan DecoupledPollInterval { get; set; } = TimeSpan.FromSeconds(2);
}

public sealed class InstitutionOptions
{
    public const string Section = "Institutions";

    public Dictionary<string, Institution> Banks { get; set; } = new(StringComparer.Ordinal);
}

public sealed record InstitutionResponse(string Id, string Name, string Standard, IReadOnlyList<string> ScaApproaches, int MaxConsentDays, int MaxHistoryDays);

public static class InstitutionsApi
{
    public static void AddInstitutions(this WebApplicationBuilder builder) =>
        builder.Services.AddOptions<InstitutionOptions>().BindConfiguration(InstitutionOptions.Section)
            .Validate(o => o.Banks.Count > 0 && o.Banks.Values.All(b => Validator.TryValidateObject(b, new ValidationContext(b), null, true)),
                "Institutions:Banks must list at least one bank, each with name, standard, SCA approaches, maximum consent and history days and service.")
            .ValidateOnStart();

    public static void MapInstitutionsApi(this IEndpointRouteBuilder app)
    {
        var institutions = app.MapGroup("/v1/institutions").WithTags("Institutions");
        institutions.MapGet("/", (IOptions<InstitutionOptions> options) =>
            TypedResults.Ok(options.Value.Banks.Select(b => View(b.Key, b.Value)).ToList()))
            .WithName("ListInstitutions").WithSummary("The banks on offer and their capabilities.");
        institutions.MapGet("/{institutionId}", (string institutionId, IOptions<InstitutionOptions> options) =>
            options.Value.Banks.TryGetValue(institutionId, out var bank) ? TypedResults.Ok(View(institutionId, bank)) : ApiProblems.NotFound("institution"))
            .WithName("GetInstitution").WithSummary("One bank on offer.");
    }

    private static InstitutionResponse View(string id, Institution bank) =>
        new(id, bank.Name, bank.Standard, bank.ScaApproaches, bank.MaxConsentDays, bank.MaxHistoryDays);
}
