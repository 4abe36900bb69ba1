using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Psd2.Core.Banking;

namespace Psd2.Core.Connectors.UkOpenBanking;

/// <summary>
/// A UK Open Banking bank (Account and Transaction API v4.0) over the platform's mutual-TLS client: consents created and
/// read with a client-credentials token, the PSU's authorisation asked for with a request object signed by the QSealC
/// (FAPI-style: JAR, PKCE, certificate-bound tokens), every call with a fresh <c>x-fapi-interaction-id</c>, and the
/// PSU's presence told by <c>x-fapi-customer-ip-address</c>. Consents are in <c>UkOpenBankingConnector.Consents.cs</c>,
/// reads in <c>UkOpenBankingConnector.Accounts.cs</c>.
/// </summary>
public sealed partial class UkOpenBankingConnector(
    HttpClient http, OAuthClient oauth, string tokenPath, string clientId, RequestSigners signers, TimeProvider time, ILogger<UkOpenBankingConnector> logger)
    : IBankConnector
{
    private const string BasePath = "/open-banking/v4.0/aisp";
    private const string InteractionIdHeader = "x-fapi-interaction-id";

    private Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, string? platformRequestId, CancellationToken cancellationToken)
    {
        var interactionId = Guid.NewGuid().ToString();
        request.Headers.Add(InteractionIdHeader, interactionId);
        return BankHttp.SendAsync(http, request, interactionId, platformRequestId, logger, cancellationToken);
    }

    private async Task<JsonDocument> CallAsync(HttpRequestMessage request, string? platformRequestId, CancellationToken cancellationToken, bool unattended = false)
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
        var code = await ErrorCodeAsync(response, cancellationToken) ?? status.ToString(CultureInfo.InvariantCulture);
        var failure = response.StatusCode switch
        {
            HttpStatusCode.Unauthorized => ConnectorFailure.TokenExpired,
            HttpStatusCode.Forbidden => ConnectorFailure.ConsentInvalid,
            HttpStatusCode.TooManyRequests when unattended => ConnectorFailure.AccessExceeded,
            _ when BankHttp.IsTransient(response) => ConnectorFailure.Transient,
            _ => ConnectorFailure.Refused,
        };
        var nextAllowed = failure == ConnectorFailure.AccessExceeded ? BankHttp.NextAllowedAt(response, time) : (DateTimeOffset?)null;
        throw new ConnectorException(failure, code, $"The bank answered {status} {code}.", nextAllowed);
    }

    /// <summary>The first <c>Errors[].ErrorCode</c> of an OBErrorResponse1 body, when there is one.</summary>
    private static async Task<string?> ErrorCodeAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        using var body = await BankHttp.ErrorJsonAsync(response, cancellationToken);
        return body is not null && body.RootElement.TryGetProperty("Errors", out var errors)
            && errors.ValueKind == JsonValueKind.Array && errors.GetArrayLength() > 0 ? BankHttp.String(errors[0], "ErrorCode") : null;
    }

    /// <summary>A client-credentials token for the consent resources (they belong to the platform, not to a PSU).</summary>
    private async Task<string> ClientTokenAsync(CancellationToken cancellationToken)
    {
        var issued = await oauth.RequestTokensAsync(tokenPath, new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["scope"] = "accounts",
            ["client_id"] = clientId,
        }, cancellationToken);
        return issued.AccessToken;
    }

    private static HttpRequestMessage Request(HttpMethod method, string url, string accessToken, string? psuIpAddress = null)
    {
        var request = new HttpRequestMessage(method, url);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        if (psuIpAddress is not null)
        {
            request.Headers.Add("x-fapi-customer-ip-address", psuIpAddress);
        }

        return request;
    }
}
