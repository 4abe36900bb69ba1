using Psd2.SandboxBank.Infrastructure;

namespace Psd2.SandboxBank.BerlinGroup;

/// <summary>
/// Every error under /v1 leaves in the spec's tppMessages form: those the handlers raise, and those the framework
/// produces itself (unknown route, wrong method, unreadable body, an unexpected exception).
/// </summary>
public static class TppErrorHandling
{
    public static IServiceCollection AddTppErrorHandling(this IServiceCollection services) => services.AddErrorAnswers<TppMessagesProblemWriter>();

    public static bool IsBerlinGroupPath(PathString path) => path.StartsWithSegments("/v1");

    private sealed class TppMessagesProblemWriter : IProblemDetailsWriter
    {
        public bool CanWrite(ProblemDetailsContext context) => IsBerlinGroupPath(context.HttpContext.Request.Path);

        public ValueTask WriteAsync(ProblemDetailsContext context)
        {
            var status = context.ProblemDetails.Status ?? context.HttpContext.Response.StatusCode;
            var (code, text) = status switch
            {
                400 or 413 or 415 => ("FORMAT_ERROR", "The request is malformed."),
                404 => ("RESOURCE_UNKNOWN", "The addressed resource is unknown."),
                405 => ("SERVICE_INVALID", "The addressed service is not valid for this method."),
                406 => ("REQUESTED_FORMATS_INVALID", "The requested format is not offered."),
                429 => ("ACCESS_EXCEEDED", "Too many requests."),
                503 => ("SERVICE_UNAVAILABLE", "The service is temporarily unavailable."),
                _ => ("INTERNAL_SERVER_ERROR", "An unexpected error occurred."),
            };
            return new ValueTask(new TppError(status, code, text).ExecuteAsync(context.HttpContext));
        }
    }
}
