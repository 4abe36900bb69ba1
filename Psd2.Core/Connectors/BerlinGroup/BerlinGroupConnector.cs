using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Psd2.Core.Banking;

namespace Psd2.Core.Connectors.BerlinGroup;

/// <summary>
/// A Berlin Group NextGenPSD2 bank over the platform's mutual-TLS client: every call gets a fresh X-Request-ID
/// (logged with the platform's request id) and, where the bank requires it, the QSealC's signature; tppMessages codes
/// become <see cref="ConnectorFailure"/>s. Consents and their authorisation are in <c>BerlinGroupConnector.Consents.cs</c>,
/// the account reads in <c>BerlinGroupConnector.Accounts.cs</c>.
/// </summary>
/// <param name="signer">The QSealC's signer when the bank requires signed requests, else null.</param>
public sealed partial class BerlinGroupConnector(
    HttpClient http, OAuthClient oauth, string tokenPath, HttpMessageSigner? signer, TimeProvider time, ILogger<BerlinGroupConnector> logger)
    : IBankConnector
{
    /// <summary>
    /// Gives a call its X-Request-ID and, where the bank requires it, its signature. Neither covers the URL, so a page's
    /// request can be made ready before its link is known.
    /// </summary>
    private async Task<HttpRequestMessage> PrepareAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        // A payment comes with its own, the same on every attempt; every other call gets a fresh one.
        if (!request.Headers.Contains("X-Request-ID"))
        {
            request.Headers.Add("X-Request-ID", Guid.NewGuid().ToString());
        }

        if (signer is not null)
        {
            await signer.SignAsync(request, cancellationToken);
        }

        return request;
    }

    /// <summary>Sends a Berlin Group call (under /v1); the caller owns the response.</summary>
    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, string? platformRequestId, CancellationToken cancellationToken) =>
        await SendPreparedAsync(await PrepareAsync(request, cancellationToken), platformRequestId, cancellationToken);

    private Task<HttpResponseMessage> SendPreparedAsync(HttpRequestMessage request, string? platformRequestId, CancellationToken cancellationToken) =>
        BankHttp.SendAsync(http, request, request.Headers.GetValues("X-Request-ID").First(), platformRequestId, logger, cancellationToken);

    /// <summary>Sends a call and reads its JSON answer; a refusal is thrown as what its tppMessages code means.</summary>
    private async Task<JsonDocument> CallAsync(HttpRequestMessage request, string? platformRequestId, CancellationToken cancellationToken) =>
        await CallPreparedAsync(await PrepareAsync(request, cancellationToken), platformRequestId, cancellationToken);

    private async Task<JsonDocument> CallPreparedAsync(HttpRequestMessage request, string? platformRequestId, CancellationToken cancellationToken)
    {
        using var response = await SendPreparedAsync(request, platformRequestId, cancellationToken);
        await EnsureSuccessAsync(response, cancellationToken);
        return await BankHttp.JsonAsync(response, cancellationToken);
    }

    private async Task EnsureSuccessAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (!response.IsSuccessStatusCode)
        {
            throw Failure(response, await TppCodeAsync(response, cancellationToken));
        }
    }

    private ConnectorException Failure(HttpResponseMessage response, string? code)
    {
        var status = (int)response.StatusCode;
        var failure = code switch
        {
            "CONSENT_EXPIRED" => ConnectorFailure.ConsentExpired,
            "CONSENT_INVALID" or "CONSENT_UNKNOWN" => ConnectorFailure.ConsentInvalid,
            "ACCESS_EXCEEDED" => ConnectorFailure.AccessExceeded,
            "TOKEN_EXPIRED" or "TOKEN_INVALID" => ConnectorFailure.TokenExpired,
            _ when BankHttp.IsTransient(response) => ConnectorFailure.Transient,
            _ => ConnectorFailure.Refused,
        };
        var nextAllowed = failure == ConnectorFailure.AccessExceeded ? BankHttp.NextAllowedAt(response, time) : (DateTimeOffset?)null;
        return new ConnectorException(failure, code ?? status.ToString(CultureInfo.InvariantCulture), $"The bank answered {status} {code}.", nextAllowed);
    }

    private static async Task<string?> TppCodeAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        using var body = await BankHttp.ErrorJsonAsync(response, cancellationToken);
        return body is not null && body.RootElement.TryGetProperty("tppMessages", out var messages)
            && messages.ValueKind == JsonValueKind.Array && messages.GetArrayLength() > 0 ? BankHttp.String(messages[0], "code") : null;
    }

    private static HttpRequestMessage Request(HttpMethod method, string? url, ConnectorSession? session = null)
    {
        var request = new HttpRequestMessage(method, url);
        if (session is not null)
        {
            request.Headers.Add("Consent-ID", session.ConsentId);
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", session.AccessToken);
            if (session.PsuIpAddress is not null)
            {
                request.Headers.Add("PSU-IP-Address", session.PsuIpAddress);
            }
        }

        return request;
    }

    private static string? Link(JsonElement body, string name) =>
        body.TryGetProperty("_links", out var links) && links.TryGetProperty(name, out var link) ? BankHttp.String(link, "href") : null;
}
