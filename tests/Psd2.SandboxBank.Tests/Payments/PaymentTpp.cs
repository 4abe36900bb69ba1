using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Psd2.Core.Banking;
using Psd2.IntegrationTests.Harness;
using Psd2.SandboxPki;

namespace Psd2.SandboxBank.Tests.Payments;

/// <summary>
/// A TPP initiating payments at the in-process Berlin Group bank as ADR 0016 describes it, and the PSU's browser when
/// the PSU is asked. Every /v1 request carries an X-Request-ID and is signed by the platform's own signer; every
/// answer is recorded under the spec's path template, so a test can hold all of them to the Berlin Group spec.
/// </summary>
public sealed class PaymentTpp(BerlinGroupBank bank, TppCertificates certificates) : IDisposable
{
    public const string RedirectUri = "https://tpp.example/payments/callback";
    public const string PsuIp = "192.0.2.30";
    public const string Sepa = "sepa-credit-transfers";
    public const string CreditorIban = "DE89370400440532013000";

    public const string InitiationPath = "/v1/{payment-service}/{payment-product}";
    public const string PaymentPath = "/v1/{payment-service}/{payment-product}/{paymentId}";
    public const string StatusPath = "/v1/{payment-service}/{payment-product}/{paymentId}/status";
    public const string AuthorisationsPath = "/v1/{payment-service}/{payment-product}/{paymentId}/authorisations";
    public const string ScaStatusPath = "/v1/{payment-service}/{payment-product}/{paymentId}/authorisations/{authorisationId}";

    private readonly HttpClient _client = bank.TppClient(certificates.Qwac);
    private readonly HttpMessageSigner _signer = new(certificates.QsealC);
    private readonly RecordedResponses _recorded = new(NodeTool.SpecPath, "Berlin Group");

    public string ClientId { get; } = CertificateFactory.ReadOrganizationIdentifier(certificates.Qwac)!;

    public static string PaymentBody(TestPsu psu, string amount, string? currency = null, string? requestedExecutionDate = null, string remittance = "Invoice 4711")
    {
        var body = new JsonObject
        {
            ["instructedAmount"] = new JsonObject { ["currency"] = currency ?? psu.Currency, ["amount"] = amount },
            ["debtorAccount"] = new JsonObject { ["iban"] = psu.Iban },
            ["creditorName"] = "Anna Berg Consulting",
            ["creditorAccount"] = new JsonObject { ["iban"] = CreditorIban },
            ["remittanceInformationUnstructured"] = remittance,
        };
        if (requestedExecutionDate is not null)
        {
            body["requestedExecutionDate"] = requestedExecutionDate;
        }

        return body.ToJsonString();
    }

    /// <summary>The headers of a redirect initiation, or with <paramref name="decoupledPsu"/> of a decoupled one.</summary>
    public static Dictionary<string, string> ScaHeaders(string? decoupledPsu = null) => decoupledPsu is null
        ? new() { ["PSU-IP-Address"] = PsuIp, ["TPP-Redirect-Preferred"] = "true", ["TPP-Redirect-URI"] = RedirectUri }
        : new() { ["PSU-IP-Address"] = PsuIp, ["TPP-Decoupled-Preferred"] = "true", ["PSU-ID"] = decoupledPsu };

    /// <summary>POST /v1/payments/{product}; answers the status and body (201 with paymentId on success).</summary>
    public Task<Answer> InitiateAsync(
        string body, Dictionary<string, string> headers, CancellationToken cancellationToken, string product = Sepa, string? requestId = null,
        bool sign = true, Action<HttpRequestMessage>? tamper = null, HttpClient? over = null) =>
        SendAsync(HttpMethod.Post, $"/v1/payments/{product}", InitiationPath, cancellationToken, body, headers, requestId, sign, tamper, over);

    public Task<Answer> GetAsync(string path, string template, CancellationToken cancellationToken, HttpClient? over = null) =>
        SendAsync(HttpMethod.Get, path, template, cancellationToken, over: over);

    /// <summary>A signed call, recorded under <paramref name="template"/> for <see cref="AssertRecordedMatchSpecAsync"/>.</summary>
    /// <param name="tamper">Changes the request after it was signed, as a man in the middle would.</param>
    public async Task<Answer> SendAsync(
        HttpMethod method, string path, string template, CancellationToken cancellationToken, string? json = null,
        IReadOnlyDictionary<string, string>? headers = null, string? requestId = null, bool sign = true,
        Action<HttpRequestMessage>? tamper = null, HttpClient? over = null)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Add("X-Request-ID", requestId ?? Guid.NewGuid().ToString());
        foreach (var (name, value) in headers ?? new Dictionary<string, string>())
        {
            request.Headers.Add(name, value);
        }

        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        if (sign)
        {
            await _signer.SignAsync(request, cancellationToken);
        }

        tamper?.Invoke(request);
        using var response = await (over ?? _client).SendAsync(request, cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        var parsed = text.Length == 0 ? null : JsonNode.Parse(text);
        _recorded.Add(method, template, response.StatusCode, parsed);
        return new Answer(response.StatusCode, parsed, response.Headers.Location?.ToString(),
            response.Headers.TryGetValues("ASPSP-SCA-Approach", out var approach) ? approach.Single() : null);
    }

    /// <summary>The transaction status, polled at the bank's pace until it is no longer <paramref name="until"/> (RCVD by default).</summary>
    public async Task<JsonNode> WaitForStatusAsync(string paymentId, CancellationToken cancellationToken, string until = "RCVD", string product = Sepa)
    {
        while (true)
        {
            var (status, body) = await GetAsync($"/v1/payments/{product}/{paymentId}/status", StatusPath, cancellationToken);
            Assert.Equal(HttpStatusCode.OK, status);
            if (body!["transactionStatus"]!.GetValue<string>() != until)
            {
                return body;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(1100), cancellationToken);
        }
    }

    /// <summary>The PSU's redirect SCA: the TPP sends the browser to /oauth2/authorize with scope PIS:&lt;paymentId&gt; and PKCE, the PSU signs in and decides.</summary>
    /// <returns>The BankID page the PSU saw, the callback the browser was sent to, and the PKCE verifier for the code.</returns>
    public async Task<(string BankIdPage, Uri Callback, string Verifier)> AuthoriseInBrowserAsync(
        string paymentId, string personalNumber, string decision, CancellationToken cancellationToken)
    {
        var (verifier, challenge) = BankPages.NewPkce();
        var query = new Dictionary<string, string>
        {
            ["response_type"] = "code",
            ["client_id"] = ClientId,
            ["redirect_uri"] = RedirectUri,
            ["scope"] = "PIS:" + paymentId,
            ["state"] = "state-" + paymentId,
            ["code_challenge"] = challenge,
            ["code_challenge_method"] = "S256",
        };
        using var browser = bank.Browser();
        using var signIn = await BankPages.AuthorizeAsync(browser, query, cancellationToken);
        Assert.Equal(HttpStatusCode.OK, signIn.StatusCode);
        var bankIdPage = await BankPages.SignInAsync(browser, await signIn.Content.ReadAsStringAsync(cancellationToken), personalNumber, cancellationToken);
        var callback = await BankPages.DecideAsync(browser, bankIdPage, decision, cancellationToken);
        return (WebUtility.HtmlDecode(bankIdPage), callback, verifier);
    }

    public async Task<HttpResponseMessage> TokenAsync(Dictionary<string, string> form, CancellationToken cancellationToken) =>
        await _client.PostAsync("/oauth2/token", new FormUrlEncodedContent(form), cancellationToken);

    /// <summary>An AIS consent for all of the PSU's accounts, approved in the BankID app, and its access token (CIBA grant).</summary>
    public async Task<(string ConsentId, string AccessToken)> AccountAccessAsync(string personalNumber, CancellationToken cancellationToken)
    {
        var consent = new JsonObject
        {
            ["access"] = new JsonObject { ["allPsd2"] = "allAccounts" },
            ["recurringIndicator"] = true,
            ["validUntil"] = "9999-12-31",
            ["frequencyPerDay"] = 4,
            ["combinedServiceIndicator"] = false,
        }.ToJsonString();
        var (status, created) = await SendAsync(HttpMethod.Post, "/v1/consents", "/v1/consents", cancellationToken, consent,
            new Dictionary<string, string> { ["PSU-IP-Address"] = PsuIp, ["TPP-Decoupled-Preferred"] = "true", ["PSU-ID"] = personalNumber });
        Assert.Equal(HttpStatusCode.Created, status);
        var consentId = created!["consentId"]!.GetValue<string>();
        var scaStatus = created["_links"]!["scaStatus"]!["href"]!.GetValue<string>();
        while (true)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(1100), cancellationToken);
            var (_, sca) = await GetAsync(scaStatus, "/v1/consents/{consentId}/authorisations/{authorisationId}", cancellationToken);
            if (sca!["scaStatus"]!.GetValue<string>() == "finalised")
            {
                break;
            }
        }

        using var token = await TokenAsync(new() { ["grant_type"] = "urn:openid:params:grant-type:ciba", ["auth_req_id"] = scaStatus.Split('/')[^1] }, cancellationToken);
        Assert.Equal(HttpStatusCode.OK, token.StatusCode);
        return (consentId, (await token.Content.ReadFromJsonAsync<JsonElement>(cancellationToken)).GetProperty("access_token").GetString()!);
    }

    /// <summary>An account read with the PSU present (not counted against the consent's daily reads).</summary>
    public Task<Answer> ReadAccountAsync(string path, string template, (string ConsentId, string AccessToken) access, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Get, path, template, cancellationToken, headers: new Dictionary<string, string>
        {
            ["Consent-ID"] = access.ConsentId,
            ["Authorization"] = "Bearer " + access.AccessToken,
            ["PSU-IP-Address"] = PsuIp,
        });

    /// <summary>Every recorded answer validates against the Berlin Group 1.3.12 spec (ajv, tests/tools/validate-responses.mjs).</summary>
    public Task AssertRecordedMatchSpecAsync(CancellationToken cancellationToken) => _recorded.AssertMatchSpecAsync(cancellationToken);

    public void Dispose() => _client.Dispose();
}

public sealed record Answer(HttpStatusCode Status, JsonNode? Body, string? Location = null, string? ScaApproach = null)
{
    public string? Code => Body?["tppMessages"]?[0]?["code"]?.GetValue<string>();

    public string PaymentId => Body!["paymentId"]!.GetValue<string>();

    public void Deconstruct(out HttpStatusCode status, out JsonNode? body) => (status, body) = (Status, Body);
}
