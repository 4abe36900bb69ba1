using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
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

    /// <summary>A client's malformed request is a 400 with a code, never a 500.</summary>
    private sealed class BadRequestExceptionHandler(IProblemDetailsService problems) : IExceptionHandler
    {
        public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
        {
            if (exception is not BadHttpRequestException badRequest)
            {
                return false;
            }

            var code = badRequest.InnerException is JsonException ? "invalid_json" : "invalid_request";
            httpContext.Response.StatusCode = badRequest.StatusCode;
            return await problems.TryWriteAsync(new ProblemDetailsContext
            {
                HttpContext = httpContext,
                Exception = exception,
                ProblemDetails =
                {
                    Status = badRequest.StatusCode,
                    Title = code == "invalid_json" ? "The request body is not valid JSON." : "The request is malformed.",
                    Detail = badRequest.Message,
                    Extensions = { ["code"] = code },
                },
            });
        }
    }
}
