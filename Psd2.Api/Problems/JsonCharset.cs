using Microsoft.Net.Http.Headers;

namespace Psd2.Api.Problems;

/// <summary>
/// JSON is UTF-8 (RFC 8259 §8.1): a JSON body declared in another charset, or in one nobody knows, is a 415
/// <c>unsupported_media_type</c> before any endpoint reads it (the framework's reader would throw, a 500).
/// </summary>
public static class JsonCharset
{
    public static IApplicationBuilder UseUtf8JsonBodies(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        if (!Declared(context.Request.ContentType, out var charset) || charset is null || IsUtf8(charset))
        {
            await next(context);
            return;
        }

        context.Response.StatusCode = StatusCodes.Status415UnsupportedMediaType;
        await context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails =
            {
                Status = StatusCodes.Status415UnsupportedMediaType,
                Title = "The request body must be JSON in UTF-8.",
                Detail = "Send it with Content-Type: application/json (charset utf-8, or none).",
                Extensions = { ["code"] = "unsupported_media_type" },
            },
        });
    });

    // A JSON media type (application/json, application/problem+json, ...) and the charset it names, if any.
    private static bool Declared(string? contentType, out string? charset)
    {
        charset = null;
        if (contentType is null || !MediaTypeHeaderValue.TryParse(contentType, out var mediaType)
            || !(mediaType.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase) || mediaType.Suffix.Equals("json", StringComparison.OrdinalIgnoreCase)))
        {
            return false;
        }

        charset = mediaType.Charset.HasValue ? mediaType.Charset.Value!.Trim('"') : null;
        return true;
    }

    private static bool IsUtf8(string charset) => charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase) || charset.Equals("utf8", StringComparison.OrdinalIgnoreCase);
}
