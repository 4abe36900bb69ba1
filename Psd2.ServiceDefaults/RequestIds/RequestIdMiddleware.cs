using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Psd2.ServiceDefaults.RequestIds;

/// <summary>
/// <c>X-Request-ID</c>: taken from the caller when it is a sane token, generated otherwise; echoed on the
/// response, put in every log line of the request (scope <c>RequestId</c>) and on the request's span.
/// </summary>
public static class RequestIdMiddleware
{
    public const string HeaderName = "X-Request-ID";
    private const int MaxLength = 128;

    public static IApplicationBuilder UseRequestIds(this IApplicationBuilder app)
    {
        var logger = app.ApplicationServices.GetRequiredService<ILoggerFactory>().CreateLogger("Psd2.RequestId");
        return app.Use(async (context, next) =>
        {
            var requestId = Accept(context.Request.Headers[HeaderName].ToString()) ?? Guid.NewGuid().ToString();
            context.TraceIdentifier = requestId;
            // Set as the response starts: the exception handler clears headers set earlier.
            context.Response.OnStarting(() =>
            {
                context.Response.Headers[HeaderName] = requestId;
                return Task.CompletedTask;
            });
            Activity.Current?.SetTag("http.request.header.x_request_id", requestId);
            using (logger.BeginScope(new RequestIdScope(requestId)))
            {
                await next(context);
            }
        });
    }

    /// <summary>The request id of the current request, as the middleware settled it.</summary>
    public static string RequestId(this HttpContext context) => context.TraceIdentifier;

    // A caller's id is kept only if it cannot pollute logs or headers: bounded, visible ASCII, no separators.
    internal static string? Accept(string candidate) =>
        candidate.Length is > 0 and <= MaxLength && candidate.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or ':')
            ? candidate
            : null;

    private sealed class RequestIdScope(string requestId) : IReadOnlyList<KeyValuePair<string, object>>
    {
        public KeyValuePair<string, object> this[int index] =>
            index == 0 ? new("RequestId", requestId) : throw new ArgumentOutOfRangeException(nameof(index));

        public int Count => 1;

        public IEnumerator<KeyValuePair<string, object>> GetEnumerator()
        {
            yield return this[0];
        }

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

        public override string ToString() => $"RequestId:{requestId}";
    }
}
