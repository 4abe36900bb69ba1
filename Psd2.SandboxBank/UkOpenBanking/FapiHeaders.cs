using System.Globalization;
using System.Net;

namespace Psd2.SandboxBank.UkOpenBanking;

/// <summary>
/// The FAPI headers of every call under the UK Open Banking base path: x-fapi-interaction-id is echoed (or made up
/// when the TPP sent none) on every answer, errors included; x-fapi-customer-ip-address and x-fapi-auth-date must
/// be well formed when sent. No x-jws-signature is asked for: v4.0 does not sign account-information requests.
/// </summary>
public static class FapiHeaders
{
    public const string InteractionId = "x-fapi-interaction-id";
    public const string CustomerIpAddress = "x-fapi-customer-ip-address";
    public const string AuthDate = "x-fapi-auth-date";

    public static void UseOpenBankingRules(this WebApplication app) =>
        app.UseWhen(context => OpenBankingPaths.IsOpenBankingPath(context.Request.Path), api => api.Use(async (context, next) =>
        {
            EnsureInteractionId(context);
            if (Check(context.Request.Headers) is { } error)
            {
                await error.ExecuteAsync(context);
                return;
            }

            await next(context);
        }));

    /// <summary>Sets the response's x-fapi-interaction-id once: the TPP's own when it is a UUID, else a new one.</summary>
    public static void EnsureInteractionId(HttpContext context)
    {
        if (context.Response.Headers.ContainsKey(InteractionId))
        {
            return;
        }

        var sent = context.Request.Headers[InteractionId];
        context.Response.Headers[InteractionId] = sent.Count == 1 && Guid.TryParse(sent[0], out _) ? sent[0] : Guid.NewGuid().ToString();
    }

    /// <summary>The PSU is present when the TPP forwards the PSU's address; such reads do not count against the daily limit.</summary>
    public static bool IsPsuPresent(HttpRequest request) => request.Headers.ContainsKey(CustomerIpAddress);

    private static OpenBankingError? Check(IHeaderDictionary headers)
    {
        if (headers[InteractionId] is { Count: > 0 } interactionId && (interactionId.Count > 1 || !Guid.TryParse(interactionId[0], out _)))
        {
            return OpenBankingError.HeaderInvalid(InteractionId, "x-fapi-interaction-id must be a UUID (RFC 4122).");
        }

        if (headers[CustomerIpAddress] is { Count: > 0 } ip && (ip.Count > 1 || !IPAddress.TryParse(ip[0], out _)))
        {
            return OpenBankingError.HeaderInvalid(CustomerIpAddress, "x-fapi-customer-ip-address must be an IPv4 or IPv6 address.");
        }

        // RFC 7231 full dates, as the spec's pattern has them: "Sun, 10 Sep 2017 19:43:31 UTC" (or GMT).
        if (headers[AuthDate] is { Count: > 0 } authDate
            && (authDate.Count > 1 || !DateTimeOffset.TryParseExact(authDate[0]!.Replace(" UTC", " GMT", StringComparison.Ordinal), "r", CultureInfo.InvariantCulture, DateTimeStyles.None, out _)))
        {
            return OpenBankingError.HeaderInvalid(AuthDate, "x-fapi-auth-date must be an RFC 7231 date, e.g. Sun, 10 Sep 2017 19:43:31 UTC.");
        }

        return null;
    }
}
