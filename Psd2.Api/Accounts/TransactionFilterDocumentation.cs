using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Psd2.Api.Accounts;

/// <summary>
/// The <see cref="TransactionFilter"/> query parameters in the OpenAPI document: the filter reads them from the query
/// string itself, so the endpoint's signature does not show them.
/// </summary>
public static class TransactionFilterDocumentation
{
    private static readonly (string Name, JsonSchemaType Type, string? Format, string Description)[] Parameters =
    [
        ("dateFrom", JsonSchemaType.String, "date", "From this date on (yyyy-MM-dd): the booking date, or the value date while pending."),
        ("dateTo", JsonSchemaType.String, "date", "Up to and including this date (yyyy-MM-dd)."),
        ("status", JsonSchemaType.String, null, "booked or pending."),
        ("minAmount", JsonSchemaType.String, "decimal", "At least this signed amount, such as -12.50."),
        ("maxAmount", JsonSchemaType.String, "decimal", "At most this signed amount."),
        ("text", JsonSchemaType.String, null, "In the remittance text or the counterparty's name, case-insensitive; at most 100 characters."),
    ];

    public static RouteHandlerBuilder WithTransactionFilterParameters(this RouteHandlerBuilder builder) =>
        builder.AddOpenApiOperationTransformer((operation, _, _) =>
        {
            operation.Parameters ??= [];
            foreach (var (name, type, format, description) in Parameters)
            {
                operation.Parameters.Add(new OpenApiParameter
                {
                    Name = name,
                    In = ParameterLocation.Query,
                    Description = description,
                    Schema = new OpenApiSchema { Type = type, Format = format },
                });
            }

            return Task.CompletedTask;
        });
}
