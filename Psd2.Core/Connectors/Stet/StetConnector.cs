using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Psd2.Core.Banking;

namespace Psd2.Core.Connectors.Stet;

/// <summary>
/// A STET bank (PSD2 API v1.4, AISP) over the platform's mutual-TLS client: the PSU authorises by OAuth 2.0 before
/// any consent exists, the consent is then put on the accounts the token opens, and every call carries a fresh
/// X-Request-ID and, where the bank requires it, the QSealC's signature over <c>(request-target)</c>. STET's
/// ErrorModel has no code, so failures are told by HTTP status and, for a consent that is over, by its message.
/// Authorisation, consent and tokens are in <c>StetConnector.Consents.cs</c>, reads in <c>StetConnector.Accounts.cs</c>.
/// </summary>
/// <param name="signer">The QSealC's STET signer when the bank requires signed requests, else null.</param>
public sealed partial class StetConnector(
    HttpClient http, OAuthClient oauth, string tokenPath, string clientId, HttpMessageSigner? signer, TimeProvider time, ILogger<StetConnector> logger)
    : IBankConnector
{
    private const string BasePath = "/stet/psd2/v1";

    /// <summary>Sends a STET call; the caller owns the response.</summary>
    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, string? platformRequestId, CancellationToken cancellationToken)
    {
        var requestId = Guid.NewGuid().ToString();
        request.Headers.Add("X-Request-ID", requestId);
        // (request-target) is signed, so the URL is made absolute first: what is signed is what goes on the wire.
        request.RequestUri = new Uri(http.BaseAddress!, request.RequestUri!);
        if (signer is not null)
        {
            await signer.SignAsync(request, cancellationToken);
        }

        return await BankHttp.SendAsync(http, request, requestId, platformRequestId, logger, cancellationToken);
    }

    private async Task<JsonDocument> CallAsync(HttpRequestMessage request, string? platformRequestId, bool unattended, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(request, platformRequestId, cancellationToken);
        await EnsureSuccessAsync(response, unattended, cancellationToken);
        return await BankHttp.JsonAsync(response, cancellationToken);
    }

    /// <param name="unattended">The PSU was not present: a 429 then means the consent's unattended reads for the day are spent.</param>
    private async Task EnsureSuccessAsync(HttpResponseMessage response, bool unattended, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        var status = (int)response.StatusCode;
        var message = await MessageAsync(response, cancellationToken);
        var failure = response.StatusCode switch
        {
            HttpStatusCode.Unauthorized => ConnectorFailure.TokenExpired,
            HttpStatusCode.Forbidden when Ended(message) == ConsentState.Expired => ConnectorFailure.ConsentExpired,
            HttpStatusCode.Forbidden => ConnectorFailure.ConsentInvalid,
            HttpStatusCode.TooManyRequests when unattended => ConnectorFailure.AccessExceeded,
            _ when BankHttp.IsTransient(response) => ConnectorFailure.Transient,
            _ => ConnectorFailure.Refused,
        };
        var nextAllowed = failure == ConnectorFailure.AccessExceeded ? BankHttp.NextAllowedAt(response, time) : (DateTimeOffset?)null;
        var code = status.ToString(CultureInfo.InvariantCulture);
        throw new ConnectorException(failure, code, $"The bank answered {status}: {message}", nextAllowed);
    }

    /// <summary>The ErrorModel's <c>message</c>, when the answer has one.</summary>
    private static async Task<string?> MessageAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        using var body = await BankHttp.ErrorJsonAsync(response, cancellationToken);
        return body is not null && body.RootElement.ValueKind == JsonValueKind.Object ? BankHttp.String(body.RootElement, "message") : null;
    }

    /// <summary>What a 403's message says of the consent: STET words it, the bank's messages name the reason.</summary>
    private static ConsentState Ended(string? message) => message switch
    {
        null => ConsentState.Other,
        _ when message.Contains("expired", StringComparison.OrdinalIgnoreCase) => ConsentState.Expired,
        _ when message.Contains("revoked", StringComparison.OrdinalIgnoreCase) => ConsentState.RevokedByPsu,
        _ when message.Contains("terminated", StringComparison.OrdinalIgnoreCase) => ConsentState.TerminatedByTpp,
        _ => ConsentState.Other,
    };

    private static HttpRequestMessage Request(HttpMethod method, string url, string accessToken, string? psuIpAddress = null)
    {
        var request = new HttpRequestMessage(method, new Uri(url, UriKind.RelativeOrAbsolute));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        if (psuIpAddress is not null)
        {
            request.Headers.Add("PSU-IP-Address", psuIpAddress);
        }

        return request;
    }
}
