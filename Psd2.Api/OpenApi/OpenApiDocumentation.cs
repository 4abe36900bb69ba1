using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Psd2.Api.OpenApi;

/// <summary>The API's OpenAPI document at /openapi/v1.json, with the API key scheme, and Swagger UI at /swagger.</summary>
public static class OpenApiDocumentation
{
    private const string ApiKeyScheme = "ApiKey";

    public static void AddApiDocumentation(this WebApplicationBuilder builder) =>
        builder.Services.AddOpenApi(options => options.AddDocumentTransformer((document, _, _) =>
        {
            document.Info = new OpenApiInfo
            {
                Title = "Psd2 API",
                Version = "v1",
                Description = "Connect end users' bank accounts through PSD2. Every /v1 call carries a client app's API key; every error is a ProblemDetails with a stable code.",
            };
            document.Components ??= new OpenApiComponents();
            document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
            document.Components.SecuritySchemes[ApiKeyScheme] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                Description = "A client app's API key (psd2_...), created with `Psd2.Api clientapps create`.",
            };
            document.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(ApiKeyScheme, document)] = [] }];
            FrameworkResponses.AddTo(document);
            return Task.CompletedTask;
        }).AddSchemaTransformer((schema, context, _) =>
        {
            if (context.JsonTypeInfo.Type == typeof(ProblemDetails) || context.JsonTypeInfo.Type == typeof(HttpValidationProblemDetails))
            {
                schema.Properties ??= new Dictionary<string, IOpenApiSchema>();
                schema.Properties["code"] = new OpenApiSchema
                {
                    Type = JsonSchemaType.String,
                    Description = "What went wrong, as a stable machine-readable code (the README's error table), e.g. validation_failed, not_found, "
                        + "api_key_missing, api_key_invalid, cursor_invalid, connection_not_active, bank_unavailable.",
                };
                schema.Properties["requestId"] = new OpenApiSchema
                {
                    Type = JsonSchemaType.String,
                    Description = "The request's X-Request-ID, which finds it in the platform's logs and audit trail.",
                };
                schema.Required ??= new HashSet<string>();
                schema.Required.Add("code");
                schema.Required.Add("requestId");
            }

            return Task.CompletedTask;
        }));

    public static void MapApiDocumentation(this WebApplication app)
    {
        app.MapOpenApi();
        app.UseSwaggerUI(ui =>
        {
            ui.SwaggerEndpoint("/openapi/v1.json", "Psd2 API v1");
            ui.DocumentTitle = "Psd2 API";
        });
    }
}
