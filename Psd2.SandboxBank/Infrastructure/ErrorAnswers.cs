using Microsoft.AspNetCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Psd2.SandboxBank.Infrastructure;

/// <summary>
/// An error answer in a standard's own form (Berlin Group tppMessages, UK Open Banking errors, STET's ErrorModel),
/// thrown from code deeper than the endpoint that would return it.
/// </summary>
public sealed class ErrorAnswerException(IResult answer, string message) : Exception(message)
{
    public IResult Answer { get; } = answer;
}

/// <summary>
/// How a dialect's errors leave the bank: the one handler that writes thrown <see cref="ErrorAnswerException"/>s, and
/// the dialect's writer for the errors the framework produces itself (unknown route, wrong method, unreadable body),
/// ahead of the default ProblemDetails writer, which would otherwise answer first.
/// </summary>
public static class ErrorAnswers
{
    public static IServiceCollection AddErrorAnswers<TProblemWriter>(this IServiceCollection services)
        where TProblemWriter : class, IProblemDetailsWriter
    {
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IExceptionHandler, AnswerHandler>());
        services.Insert(0, ServiceDescriptor.Singleton<IProblemDetailsWriter, TProblemWriter>());
        return services;
    }

    private sealed class AnswerHandler : IExceptionHandler
    {
        public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
        {
            if (exception is not ErrorAnswerException error)
            {
                return false;
            }

            await error.Answer.ExecuteAsync(httpContext);
            return true;
        }
    }
}
