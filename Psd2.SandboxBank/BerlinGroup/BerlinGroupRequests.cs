using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using Psd2.SandboxBank.Signing;
using Psd2.SandboxBank.Tls;

namespace Psd2.SandboxBank.BerlinGroup;

/// <summary>Rules every Berlin Group call (under /v1) must meet before it reaches a handler.</summary>
public static class BerlinGroupRequests
{
    public const string RequestIdHeader = "X-Request-ID";
    private const int MaxBodyBytes = 64 * 1024;

    public static void UseBerlinGroupRules(this WebApplication app)
    {
        app.UseWhen(context => context.Request.Path.StartsWithSegments("/v1"), api => api.Use(async (context, next) =>
        {
            if (CheckRequestId(context.Request) is { } requestIdError)
            {
                await requestIdError.ExecuteAsync(context);
                return;
            }

            // Payments are signed whatever the profile says: the signature is what binds the TPP to the money it moves.
            var options = context.RequestServices.GetRequiredService<IOptionsMonitor<BankOptions>>().CurrentValue;
            var mustSign = options.RequireSignature || Payments.PaymentsApi.IsPaymentPath(context.Request.Path);
            if (mustSign && await CheckSignatureAsync(context) is { } signatureError)
            {
                await signatureError.ExecuteAsync(context);
                return;
            }

            await next(context);
        }));
    }

    private static TppError? CheckRequestId(HttpRequest request)
    {
        var values = request.Headers[RequestIdHeader];
        if (values.Count == 0)
        {
            return TppError.FormatError("The X-Request-ID header is missing.", RequestIdHeader);
        }

        return values.Count == 1 && Guid.TryParseExact(values[0], "D", out _)
            ? null
            : TppError.FormatError("X-Request-ID must be a UUID.", RequestIdHeader);
    }

    private static async Task<TppError?> CheckSignatureAsync(HttpContext context)
    {
        var request = context.Request;
        if (request.ContentLength > MaxBodyBytes)
        {
            return TppError.FormatError("The request body is too large.");
        }

        // The digest covers the exact bytes, so they are read once here and replayed to the handler.
        if (await SignedRequest.ReadAsync(context, MaxBodyBytes) is not { } signed)
        {
            return TppError.FormatError("The request body is too large.");
        }

        var verifier = context.RequestServices.GetRequiredService<HttpSignatureVerifier>();
        return verifier.Verify(signed, context.Tpp().OrganizationId) is { } error
            ? new TppError(StatusCodes.Status401Unauthorized, error.Code, error.Text)
            : null;
    }

    /// <summary>Reads a JSON body with the bank's own rules: a FORMAT_ERROR naming the path instead of a framework 400.</summary>
    /// <remarks>
    /// A body refused with keep-alive must not be left unread beyond the limit: after the answer Kestrel drains what is
    /// left of it, and a drain that hits the lowered limit drops the connection the TPP was just told it could reuse,
    /// so the TPP's next request on it fails without any response. Hence the content type is judged before the limit
    /// is lowered (the unread body is then drained under Kestrel's own limit), and the whole body is read before it is
    /// parsed (a too-large body fails while reading, where Kestrel answers with Connection: close).
    /// </remarks>
    public static async Task<T> ReadJsonAsync<T>(this HttpRequest request, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type)
        where T : class
    {
        if (!request.HasJsonContentType())
        {
            throw TppError.FormatError("The body must be application/json.").AsException();
        }

        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = MaxBodyBytes;
        }

        using var body = new MemoryStream();
        try
        {
            await request.Body.CopyToAsync(body, request.HttpContext.RequestAborted);
        }
        catch (BadHttpRequestException)
        {
            throw TppError.FormatError("The request body could not be read or is too large.").AsException();
        }

        try
        {
            body.Position = 0;
            return await JsonSerializer.DeserializeAsync(body, type, request.HttpContext.RequestAborted)
                ?? throw TppError.FormatError("The body must be a JSON object.").AsException();
        }
        catch (JsonException e)
        {
            throw TppError.FormatError("The body is not valid JSON for this request.", e.Path).AsException();
        }
    }
}
