using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;

namespace Psd2.ServiceDefaults.Telemetry;

/// <summary>
/// ASP.NET Core's own request span carries no HTTP attributes and is named after the activity
/// (<c>Microsoft.AspNetCore.Hosting.HttpRequestIn</c>); the instrumentation package that fills them in does not restore
/// here. This names the span <c>{method} {route}</c> and adds the semantic-convention attributes once the response is
/// settled. The path is recorded as <c>url.path</c> (which <see cref="SecretRedactionProcessor"/> replaces by the route
/// when it holds a token); the query string is not recorded at all.
/// </summary>
public static class HttpServerSpanTags
{
    public static IApplicationBuilder UseHttpServerSpanTags(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        try
        {
            await next(context);
        }
        finally
        {
            if (context.Features.Get<IHttpActivityFeature>()?.Activity is { } activity)
            {
                Tag(activity, context);
            }
        }
    });

    internal static void Tag(Activity activity, HttpContext context)
    {
        var request = context.Request;
        var route = (context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText;
        var status = context.Response.StatusCode;
        activity.DisplayName = route is null ? request.Method : $"{request.Method} {(route.StartsWith('/') ? route : "/" + route)}";
        activity.SetTag("http.request.method", request.Method);
        activity.SetTag("url.scheme", request.Scheme);
        activity.SetTag("url.path", request.Path.Value);
        activity.SetTag("http.response.status_code", status);
        if (route is not null)
        {
            activity.SetTag("http.route", route);
        }

        if (status >= 500)
        {
            activity.SetStatus(ActivityStatusCode.Error);
        }
    }
}
