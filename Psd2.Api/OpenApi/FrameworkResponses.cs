using Microsoft.AspNetCore.Mvc;
using Microsoft.OpenApi;

namespace Psd2.Api.OpenApi;

/// <summary>
/// What ASP.NET Core itself answers before a handler runs, added to each operation that can meet it: 400
/// (<c>invalid_json</c>, <c>invalid_request</c>) where a body or a typed query parameter can fail to bind, 415 where a
/// body can come in another media type. A handler's own statuses come from its return type.
/// </summary>
internal static class FrameworkResponses
{
    public static void AddTo(OpenApiDocument document)
    {
        foreach (var operation in document.Paths.Values.SelectMany(path => path.Operations?.Values ?? Enumerable.Empty<OpenApiOperation>()))
        {
            var hasBody = operation.RequestBody is not null;
            if (hasBody || (operation.Parameters ?? []).Any(p => p.In == ParameterLocation.Query && (p.Required || p.Schema?.Type != JsonSchemaType.String || p.Schema?.Format is not null)))
            {
                Add(document, operation, StatusCodes.Status400BadRequest, "The request is not valid: the problem's code and errors say what.", nameof(HttpValidationProblemDetails));
            }

            if (hasBody)
            {
                Add(document, operation, StatusCodes.Status415UnsupportedMediaType, "The body is not application/json.", nameof(ProblemDetails));
            }
        }
    }

    private static void Add(OpenApiDocument document, OpenApiOperation operation, int status, string description, string schema)
    {
        operation.Responses ??= [];
        operation.Responses.TryAdd(status.ToString(System.Globalization.CultureInfo.InvariantCulture), new OpenApiResponse
        {
            Description = description,
            Content = new Dictionary<string, OpenApiMediaType>
            {
                ["application/problem+json"] = new() { Schema = new OpenApiSchemaReference(schema, document) },
            },
        });
    }
}
