using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Psd2.ServiceDefaults.RequestIds;

namespace Psd2.ServiceDefaults.Problems;

/// <summary>
/// Every error leaves as an RFC 9457 ProblemDetails with a stable machine-readable <c>code</c> and the
/// request id, whether an endpoint returned it, the framework produced a bare status code, or an
/// exception escaped.
/// </summary>
public static class ProblemDetailsDefaults
{
    public static IServiceCollection AddDefaultProblemDetails(this IServiceCollection services)
    {
        services.AddProblemDetails(options => options.CustomizeProblemDetails = context =>
        {
            var problem = context.ProblemDetails;
            problem.Extensions.TryAdd("code", CodeFor(problem.Status ?? context.HttpContext.Response.StatusCode));
            problem.Extensions["requestId"] = context.HttpContext.RequestId();
            var exception = context.HttpContext.Features.Get<IExceptionHandlerFeature>()?.Error;
            if (exception is not null && (problem.Status ?? 500) >= 500)
            {
                // Never leak exception text to clients; the request id finds it in the logs.
                problem.Detail = "An unexpected error occurred.";
            }
        });
        // After ASP.NET Core's JSON writer: it takes the problems of clients that accept JSON, this one the rest.
        services.AddSingleton<IProblemDetailsWriter, AnyAcceptProblemDetailsWriter>();
        services.AddExceptionHandler<BadRequestExceptionHandler>();
        // Malformed bodies and parameters throw instead of answering a silent 400, so they get a ProblemDetails.
        services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);
        return services;
    }

    /// <summary>The default code for a status when the endpoint gave none.</summary>
    public static string CodeFor(int status) => status switch
    {
        400 => "bad_request",
        401 => "unauthorized",
        403 => "forbidden",
        404 => "not_found",
        405 => "method_not_allowed",
        406 => "not_acceptable",
        409 => "conflict",
        413 => "payload_too_large",
        415 => "unsupported_media_type",
        422 => "unprocessable",
        429 => "too_many_requests",
        503 => "service_unavailable",
        >= 500 => "internal_error",
        _ => "error",
    };

    /// <summary>
    /// A client's malformed request is a 400 (415 for a body that is not JSON) with a code, never a 500, and in words
    /// of this API: the framework's message names its own parameters and types ("Implicit body inferred for
    /// parameter..."), so it is never passed on. A JSON error says where the JSON went wrong.
    /// </summary>
    private sealed class BadRequestExceptionHandler(IProblemDetailsService problems) : IExceptionHandler
    {
        public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
        {
            if (exception is not BadHttpRequestException badRequest)
            {
                return false;
            }

            var (code, title, detail) = Describe(httpContext, badRequest);
            httpContext.Response.StatusCode = badRequest.StatusCode;
            return await problems.TryWriteAsync(new ProblemDetailsContext
            {
                HttpContext = httpContext,
                Exception = exception,
                ProblemDetails = { Status = badRequest.StatusCode, Title = title, Detail = detail, Extensions = { ["code"] = code } },
            });
        }

        private static (string Code, string Title, string? Detail) Describe(HttpContext context, BadHttpRequestException badRequest)
        {
            if (badRequest.StatusCode == StatusCodes.Status415UnsupportedMediaType)
            {
                return ("unsupported_media_type", "The request body must be JSON.", "Send it with Content-Type: application/json.");
            }

            if (badRequest.InnerException is JsonException json)
            {
                var where = json.Path is { Length: > 0 } path ? $" at {path}" : "";
                return ("invalid_json", "The request body is not valid JSON of the expected shape.",
                    $"The JSON could not be read{where} (line {json.LineNumber + 1}, byte {json.BytePositionInLine + 1}).");
            }

            if (context.Request.ContentLength is 0 or null && !context.Request.Headers.TransferEncoding.Any() && HttpMethods.IsPost(context.Request.Method))
            {
                return ("invalid_json", "The request body is not valid JSON of the expected shape.", "The request needs a JSON body.");
            }

            return ("invalid_request", "The request is malformed.", null);
        }
    }

    /// <summary>
    /// Errors are application/problem+json whatever the client accepts (<c>Accept: application/xml</c> included):
    /// ASP.NET Core's own writer declines such a client, and a problem written without it would lose the code and
    /// request id this API promises on every error.
    /// </summary>
    private sealed class AnyAcceptProblemDetailsWriter(IOptions<ProblemDetailsOptions> options, IOptions<JsonOptions> json) : IProblemDetailsWriter
    {
        public bool CanWrite(ProblemDetailsContext context) => true;

        public ValueTask WriteAsync(ProblemDetailsContext context)
        {
            var problem = context.ProblemDetails;
            problem.Status ??= context.HttpContext.Response.StatusCode;
            problem.Title ??= ReasonPhrases.GetReasonPhrase(problem.Status.Value);
            options.Value.CustomizeProblemDetails?.Invoke(context);
            return new ValueTask(context.HttpContext.Response.WriteAsJsonAsync(problem, json.Value.SerializerOptions, "application/problem+json"));
        }
    }
}
