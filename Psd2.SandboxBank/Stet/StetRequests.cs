using System.Net;
using Microsoft.Extensions.Options;
using Psd2.SandboxBank.Signing;
using Psd2.SandboxBank.Tls;

namespace Psd2.SandboxBank.Stet;

/// <summary>
/// Rules every STET call (under /stet/psd2/v1) meets before a handler: an X-Request-ID, echoed on every answer,
/// errors included; a well-formed PSU-IP-Address when sent; and, when the bank requires it, a draft-cavage
/// signature whose keyId is the URL of the TPP's QSealC.
/// </summary>
public static class StetRequests
{
    public const string RequestIdHeader = "X-Request-ID";
    public const string PsuIpAddressHeader = "PSU-IP-Address";
    private const int MaxRequestIdLength = 70;
    private const int MaxBodyBytes = 64 * 1024;

    public static void UseStetRules(this WebApplication app) =>
        app.UseWhen(context => StetPaths.IsStetPath(context.Request.Path), api => api.Use(async (context, next) =>
        {
            EchoRequestId(context);
            if (Check(context.Request) is { } error)
            {
                await error.ExecuteAsync(context);
                return;
            }

            var options = context.RequestServices.GetRequiredService<IOptionsMonitor<BankOptions>>().CurrentValue;
            if (options.RequireSignature && await VerifySignatureAsync(context) is { } signatureError)
            {
                await signatureError.ExecuteAsync(context);
                return;
            }

            await next(context);
        }));

    /// <summary>Sets the response's X-Request-ID once, to the TPP's own when it is well formed.</summary>
    public static void EchoRequestId(HttpContext context)
    {
        if (context.Response.HasStarted || context.Response.Headers.ContainsKey(RequestIdHeader))
        {
            return;
        }

        if (WellFormedRequestId(context.Request) is { } requestId)
        {
            context.Response.Headers[RequestIdHeader] = requestId;
        }
    }

    /// <summary>The PSU is present when the TPP forwards the PSU's address; such reads do not count against the day's four.</summary>
    public static bool IsPsuPresent(HttpRequest request) => request.Headers.ContainsKey(PsuIpAddressHeader);

    private static StetError? Check(HttpRequest request)
    {
        if (request.Headers[RequestIdHeader].Count == 0)
        {
            return StetError.BadRequest("X-Request-ID header missing");
        }

        if (WellFormedRequestId(request) is null)
        {
            return StetError.BadRequest("X-Request-ID must be 1 to 70 visible characters");
        }

        if (request.Headers[PsuIpAddressHeader] is { Count: > 0 } ip && (ip.Count > 1 || !IPAddress.TryParse(ip[0], out _)))
        {
            return StetError.BadRequest("PSU-IP-Address must be an IPv4 or IPv6 address");
        }

        return null;
    }

    private static string? WellFormedRequestId(HttpRequest request) =>
        request.Headers[RequestIdHeader] is { Count: 1 } values && values[0] is { Length: > 0 and <= MaxRequestIdLength } value
            && value.All(c => c is > ' ' and <= '~')
            ? value
            : null;

    private static async Task<StetError?> VerifySignatureAsync(HttpContext context)
    {
        var request = context.Request;
        if (request.ContentLength > MaxBodyBytes)
        {
            return StetError.BadRequest("the request body is too large");
        }

        // The digest covers the body's exact bytes: they stay readable for the handler after the verifier read them.
        request.EnableBuffering(MaxBodyBytes);
        var verifier = context.RequestServices.GetRequiredService<StetSignatureVerifier>();
        var error = await verifier.VerifyAsync(context, context.Tpp().OrganizationId);
        if (request.Body.CanSeek)
        {
            request.Body.Position = 0;
        }

        return error is null ? null : StetError.Signature(error);
    }
}
