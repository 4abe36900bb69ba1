using Psd2.SandboxBank.Infrastructure;

namespace Psd2.SandboxBank.UkOpenBanking;

/// <summary>
/// Every error under the UK Open Banking base path leaves in the spec's form: those the handlers raise, and those the
/// framework produces itself (unknown route, wrong method, unreadable body, an unexpected exception).
/// </summary>
public static class OpenBankingErrorHandling
{
    public static IServiceCollection AddOpenBankingErrorHandling(this IServiceCollection services) => services.AddErrorAnswers<OpenBankingProblemWriter>();

    private sealed class OpenBankingProblemWriter : IProblemDetailsWriter
    {
        public bool CanWrite(ProblemDetailsContext context) => OpenBankingPaths.IsOpenBankingPath(context.HttpContext.Request.Path);

        public ValueTask WriteAsync(ProblemDetailsContext context)
        {
            // Also called for the bodiless answers (401, 429, 503...) when status code pages fill in a body: those stay
            // bodiless, and keep what the error that made them said (a 401's WWW-Authenticate, a Retry-After).
            var status = context.ProblemDetails.Status ?? context.HttpContext.Response.StatusCode;
            var error = status switch
            {
                400 => OpenBankingError.InvalidFormat("The request is malformed."),
                500 => OpenBankingError.Unexpected("An unexpected error occurred."),
                _ => null,
            };
            if (error is null)
            {
                FapiHeaders.EnsureInteractionId(context.HttpContext);
                return ValueTask.CompletedTask;
            }

            return new ValueTask(error.ExecuteAsync(context.HttpContext));
        }
    }
}
