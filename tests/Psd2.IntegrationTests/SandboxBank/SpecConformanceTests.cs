using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Psd2.IntegrationTests.Harness;

namespace Psd2.IntegrationTests.SandboxBank;

/// <summary>
/// Real responses of every AIS endpoint the bank serves, successes and errors, judged by ajv against the Berlin
/// Group's own OpenAPI file (tests/tools/validate-responses.mjs) rather than by our reading of it.
/// </summary>
[Collection(AppCollection.Name)]
public sealed class SpecConformanceTests(AppFixture fixture) : IDisposable
{
    // Reads with the PSU present do not use up the consent's frequencyPerDay.
    private const string PsuIp = "192.0.2.20";

    private readonly BankTpp _bank = new(fixture.App);
    private readonly JsonArray _responses = [];

    [Fact]
    public async Task EveryAisResponseMatchesTheBerlinGroupSpec()
    {
        var psu = await _bank.CreatePsuAsync(accounts: 2);
        var accountId = psu.AccountIds[0];

        // The consent and its SCA sub-resources while the consent awaits the PSU.
        using var created = await _bank.PostConsentAsync(BankTpp.AllAccountsConsent());
        var consentId = (await RecordAsync(created, "POST", "/v1/consents", HttpStatusCode.Created)).GetProperty("consentId").GetString()!;
        var consentPath = $"/v1/consents/{consentId}";
        using (var received = await _bank.GetAsync(consentPath))
        {
            await RecordAsync(received, "GET", "/v1/consents/{consentId}", HttpStatusCode.OK);
        }

        using (var receivedStatus = await _bank.GetAsync($"{consentPath}/status"))
        {
            Assert.Equal("received", (await RecordAsync(receivedStatus, "GET", "/v1/consents/{consentId}/status", HttpStatusCode.OK)).GetProperty("consentStatus").GetString());
        }

        using var started = await SendAsync(HttpMethod.Post, $"{consentPath}/authorisations");
        var authorisationId = (await RecordAsync(started, "POST", "/v1/consents/{consentId}/authorisations", HttpStatusCode.Created)).GetProperty("authorisationId").GetString()!;
        using (var listed = await _bank.GetAsync($"{consentPath}/authorisations"))
        {
            var ids = (await RecordAsync(listed, "GET", "/v1/consents/{consentId}/authorisations", HttpStatusCode.OK)).GetProperty("authorisationIds");
            Assert.Contains(authorisationId, ids.EnumerateArray().Select(i => i.GetString()));
        }

        using (var scaStatus = await _bank.GetAsync($"{consentPath}/authorisations/{authorisationId}"))
        {
            await RecordAsync(scaStatus, "GET", "/v1/consents/{consentId}/authorisations/{authorisationId}", HttpStatusCode.OK);
        }

        // The PSU approves on the BankID pages; the TPP redeems the code.
        var (verifier, challenge) = BankTpp.Pkce();
        var callback = await _bank.AuthorizeInBrowserAsync(consentId, psu.PersonalNumber, challenge);
        using var tokenResponse = await _bank.TokenAsync(new()
        {
            ["grant_type"] = "authorization_code", ["code"] = BankTpp.Query(callback, "code")!, ["redirect_uri"] = BankTpp.RedirectUri, ["code_verifier"] = verifier,
        });
        Assert.Equal(HttpStatusCode.OK, tokenResponse.StatusCode);
        var accessToken = (await tokenResponse.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("access_token").GetString()!;

        using (var valid = await _bank.GetAsync(consentPath))
        {
            Assert.Equal("valid", (await RecordAsync(valid, "GET", "/v1/consents/{consentId}", HttpStatusCode.OK)).GetProperty("consentStatus").GetString());
        }

        using (var validStatus = await _bank.GetAsync($"{consentPath}/status"))
        {
            await RecordAsync(validStatus, "GET", "/v1/consents/{consentId}/status", HttpStatusCode.OK);
        }

        using (var finalised = await _bank.GetAsync($"{consentPath}/authorisations/{authorisationId}"))
        {
            await RecordAsync(finalised, "GET", "/v1/consents/{consentId}/authorisations/{authorisationId}", HttpStatusCode.OK);
        }

        // Account reads.
        Task<HttpResponseMessage> Read(string path, string? token = null, string? consent = null, string? ip = PsuIp) =>
            _bank.GetAsync(path, consent ?? consentId, token ?? accessToken, ip);

        using (var accounts = await Read("/v1/accounts"))
        {
            Assert.Equal(2, (await RecordAsync(accounts, "GET", "/v1/accounts", HttpStatusCode.OK)).GetProperty("accounts").GetArrayLength());
        }

        using (var withBalance = await Read("/v1/accounts?withBalance=true"))
        {
            await RecordAsync(withBalance, "GET", "/v1/accounts", HttpStatusCode.OK);
        }

        using (var details = await Read($"/v1/accounts/{accountId}"))
        {
            await RecordAsync(details, "GET", "/v1/accounts/{account-id}", HttpStatusCode.OK);
        }

        using (var detailsWithBalance = await Read($"/v1/accounts/{accountId}?withBalance=true"))
        {
            await RecordAsync(detailsWithBalance, "GET", "/v1/accounts/{account-id}", HttpStatusCode.OK);
        }

        using (var balances = await Read($"/v1/accounts/{accountId}/balances"))
        {
            await RecordAsync(balances, "GET", "/v1/accounts/{account-id}/balances", HttpStatusCode.OK);
        }

        var from = DateTime.UtcNow.AddDays(-365).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        string next;
        using (var firstPage = await Read($"/v1/accounts/{accountId}/transactions?bookingStatus=booked&dateFrom={from}"))
        {
            var report = (await RecordAsync(firstPage, "GET", "/v1/accounts/{account-id}/transactions", HttpStatusCode.OK)).GetProperty("transactions");
            next = report.GetProperty("_links").GetProperty("next").GetProperty("href").GetString()!;
        }

        using (var secondPage = await Read(next))
        {
            await RecordAsync(secondPage, "GET", "/v1/accounts/{account-id}/transactions", HttpStatusCode.OK);
        }

        using (var pending = await Read($"/v1/accounts/{accountId}/transactions?bookingStatus=pending"))
        {
            await RecordAsync(pending, "GET", "/v1/accounts/{account-id}/transactions", HttpStatusCode.OK);
        }

        using (var both = await Read($"/v1/accounts/{accountId}/transactions?bookingStatus=both&dateFrom={from}&withBalance=true"))
        {
            await RecordAsync(both, "GET", "/v1/accounts/{account-id}/transactions", HttpStatusCode.OK);
        }

        // Errors, each in the tppMessages form the spec documents for its status.
        var noRequestId = new HttpRequestMessage(HttpMethod.Get, "/v1/accounts");
        noRequestId.Headers.Add("Consent-ID", consentId);
        using (var missingRequestId = await _bank.Tpp.SendAsync(noRequestId))
        {
            await RecordErrorAsync(missingRequestId, "GET", "/v1/accounts", HttpStatusCode.BadRequest, "FORMAT_ERROR");
        }

        using (var badBookingStatus = await Read($"/v1/accounts/{accountId}/transactions?bookingStatus=sometimes&dateFrom={from}"))
        {
            await RecordErrorAsync(badBookingStatus, "GET", "/v1/accounts/{account-id}/transactions", HttpStatusCode.BadRequest, "FORMAT_ERROR");
        }

        using (var malformedBody = await SendAsync(HttpMethod.Post, "/v1/consents", new StringContent("{\"access\": [", Encoding.UTF8, "application/json"), withRedirect: true))
        {
            await RecordErrorAsync(malformedBody, "POST", "/v1/consents", HttpStatusCode.BadRequest, "FORMAT_ERROR");
        }

        using (var pastValidUntil = await _bank.PostConsentAsync(BankTpp.AllAccountsConsent(validUntil: "2020-01-01")))
        {
            await RecordErrorAsync(pastValidUntil, "POST", "/v1/consents", HttpStatusCode.BadRequest, "PERIOD_INVALID");
        }

        using (var unknownToken = await Read("/v1/accounts", token: BankTpp.Base64Url(new byte[32])))
        {
            await RecordErrorAsync(unknownToken, "GET", "/v1/accounts", HttpStatusCode.Unauthorized, "TOKEN_INVALID");
        }

        using (var unknownConsent = await Read($"/v1/accounts/{accountId}/balances", consent: "no-such-consent"))
        {
            await RecordErrorAsync(unknownConsent, "GET", "/v1/accounts/{account-id}/balances", HttpStatusCode.Forbidden, "CONSENT_UNKNOWN");
        }

        using (var unknownConsentResource = await _bank.GetAsync("/v1/consents/no-such-consent"))
        {
            await RecordErrorAsync(unknownConsentResource, "GET", "/v1/consents/{consentId}", HttpStatusCode.Forbidden, "CONSENT_UNKNOWN");
        }

        using (var unknownAccount = await Read("/v1/accounts/no-such-account"))
        {
            await RecordErrorAsync(unknownAccount, "GET", "/v1/accounts/{account-id}", HttpStatusCode.NotFound, "RESOURCE_UNKNOWN");
        }

        using (var unknownAuthorisation = await _bank.GetAsync($"{consentPath}/authorisations/no-such-authorisation"))
        {
            await RecordErrorAsync(unknownAuthorisation, "GET", "/v1/consents/{consentId}/authorisations/{authorisationId}", HttpStatusCode.NotFound, "RESOURCE_UNKNOWN");
        }

        using (var authorisationOfValidConsent = await SendAsync(HttpMethod.Post, $"{consentPath}/authorisations"))
        {
            await RecordErrorAsync(authorisationOfValidConsent, "POST", "/v1/consents/{consentId}/authorisations", HttpStatusCode.Conflict, "STATUS_INVALID");
        }

        // Unattended reads of the second account's balances until the day's four are used up.
        var otherBalances = $"/v1/accounts/{psu.AccountIds[1]}/balances";
        for (var i = 0; i < 4; i++)
        {
            using var unattended = await Read(otherBalances, ip: null);
            Assert.Equal(HttpStatusCode.OK, unattended.StatusCode);
        }

        using (var exceeded = await Read(otherBalances, ip: null))
        {
            await RecordErrorAsync(exceeded, "GET", "/v1/accounts/{account-id}/balances", (HttpStatusCode)429, "ACCESS_EXCEEDED");
        }

        // The TPP ends the consent; its token is then refused because the consent is no longer valid.
        using (var deleted = await SendAsync(HttpMethod.Delete, consentPath))
        {
            await RecordAsync(deleted, "DELETE", "/v1/consents/{consentId}", HttpStatusCode.NoContent);
        }

        using (var terminated = await Read("/v1/accounts"))
        {
            await RecordErrorAsync(terminated, "GET", "/v1/accounts", HttpStatusCode.Unauthorized, "CONSENT_INVALID");
        }

        // Decoupled: the BankID order goes to the PSU's phone, where nobody answers.
        var phonePsu = await _bank.CreatePsuAsync("Manual");
        using var decoupled = await _bank.PostConsentAsync(BankTpp.AllAccountsConsent(), new Dictionary<string, string>
        {
            ["PSU-ID"] = phonePsu.PersonalNumber, ["TPP-Decoupled-Preferred"] = "true",
        });
        var decoupledBody = await RecordAsync(decoupled, "POST", "/v1/consents", HttpStatusCode.Created);
        Assert.Equal("DECOUPLED", decoupled.Headers.GetValues("ASPSP-SCA-Approach").Single());
        var decoupledPath = $"/v1/consents/{decoupledBody.GetProperty("consentId").GetString()}";
        using (var order = await _bank.GetAsync(decoupledBody.GetProperty("_links").GetProperty("scaStatus").GetProperty("href").GetString()!))
        {
            Assert.Equal("started", (await RecordAsync(order, "GET", "/v1/consents/{consentId}/authorisations/{authorisationId}", HttpStatusCode.OK)).GetProperty("scaStatus").GetString());
        }

        using (var decoupledConsent = await _bank.GetAsync(decoupledPath))
        {
            await RecordAsync(decoupledConsent, "GET", "/v1/consents/{consentId}", HttpStatusCode.OK);
        }

        using (var decoupledStart = await SendAsync(HttpMethod.Post, $"{decoupledPath}/authorisations"))
        {
            await RecordAsync(decoupledStart, "POST", "/v1/consents/{consentId}/authorisations", HttpStatusCode.Created);
        }

        using (var decoupledList = await _bank.GetAsync($"{decoupledPath}/authorisations"))
        {
            Assert.Equal(2, (await RecordAsync(decoupledList, "GET", "/v1/consents/{consentId}/authorisations", HttpStatusCode.OK)).GetProperty("authorisationIds").GetArrayLength());
        }

        var input = Path.Combine(Path.GetTempPath(), $"bank-responses-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(input, _responses.ToJsonString());
        try
        {
            var result = await NodeTool.RunAsync("validate-responses.mjs", ["--spec", NodeTool.SpecPath, "--input", input], Deadline.In(60));
            Assert.True(result.ExitCode == 0,
                $"validate-responses.mjs exited {result.ExitCode} for {_responses.Count} responses.\nstdout:\n{result.Stdout}\nstderr:\n{result.Stderr}");
        }
        finally
        {
            File.Delete(input);
        }
    }

    private Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, HttpContent? content = null, bool withRedirect = false)
    {
        var request = new HttpRequestMessage(method, path) { Content = content };
        request.Headers.Add("X-Request-ID", Guid.NewGuid().ToString());
        if (withRedirect)
        {
            request.Headers.Add("TPP-Redirect-URI", BankTpp.RedirectUri);
        }

        return _bank.Tpp.SendAsync(request);
    }

    /// <summary>Keeps the response as an item for the validator, after checking its status; returns its body.</summary>
    private async Task<JsonElement> RecordAsync(HttpResponseMessage response, string method, string pathTemplate, HttpStatusCode expected)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"{method} {response.RequestMessage?.RequestUri}: expected {(int)expected}, got {(int)response.StatusCode}: {text}");
        var item = new JsonObject { ["method"] = method, ["path"] = pathTemplate, ["status"] = (int)response.StatusCode };
        if (response.Content.Headers.ContentType?.MediaType is { } mediaType)
        {
            item["contentType"] = mediaType;
        }

        if (text.Length > 0)
        {
            item["body"] = JsonNode.Parse(text);
        }

        _responses.Add(item);
        return text.Length > 0 ? JsonDocument.Parse(text).RootElement.Clone() : default;
    }

    private async Task RecordErrorAsync(HttpResponseMessage response, string method, string pathTemplate, HttpStatusCode expected, string code)
    {
        var body = await RecordAsync(response, method, pathTemplate, expected);
        Assert.Equal(code, body.GetProperty("tppMessages")[0].GetProperty("code").GetString());
    }

    public void Dispose() => _bank.Dispose();
}
