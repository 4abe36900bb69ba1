using Psd2.SandboxBank.Infrastructure;

namespace Psd2.SandboxBank.Stet;

/// <summary>
/// Every error under the STET base path leaves as an ErrorModel: those the handlers raise, and those the framework
/// produces itself (unknown route, wrong method, unreadable body, an unexpected exception).
/// </summary>
public static class StetErrorHandling
{
    public static IServiceCollection AddStetErrorHandling(this IServiceCollection services) => services.AddErrorAnswers<StetProblemWriter>();

    private sealed class StetProblemWriter : IProblemDetailsWriter
    {
        public bool CanWrite(ProblemDetailsContext context) => StetPaths.IsStetPath(context.HttpContext.Request.Path);

        public ValueTask WriteAsync(ProblemDetailsContext context)
        {
            var status = context.ProblemDetails.Status ?? context.HttpContext.Response.StatusCode;
            var message = status switch
            {
                400 or 413 or 415 => "the request is malformed",
                404 => "the addressed resource is unknown",
                405 => "the method is not allowed on this resource",
                406 => "the requested format is not offered",
                429 => "too many requests",
                503 => "the service is temporarily unavailable",
                _ => "an unexpected error occurred",
            };
            return new ValueTask(new StetError(status, message).ExecuteAsync(context.HttpContext));
        }
    }
}
