using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Psd2.SandboxBank.Tests.Stet;

/// <summary>
/// Every STET request is signed with the QSealC its keyId URL serves; what is unsigned, changed after signing or
/// sealed by another TPP is a 401 ErrorModel that says which, with the X-Request-ID echoed.
/// </summary>
[Collection(StetBankCollection.Name)]
public sealed class StetSignatureTests(StetBank bank)
{
    [Fact]
    public async Task Unsigned_requests_tampered_ones_and_another_TPPs_seal_are_refused_with_401()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        var ct = timeout.Token;
        using var tpp = new StetTpp(bank, bank.Tpp);
        var tokens = await tpp.AuthoriseAsync(await bank.CreatePsuAsync(seed: 2101, ct), ct);

        var unsigned = await tpp.GetAsync("/accounts", "HalAccounts", tokens.AccessToken, ct, sign: false);
        Assert.Equal(HttpStatusCode.Unauthorized, unsigned.Status);
        Assert.Equal("signature missing", unsigned.Message);

        var tampered = await tpp.SendAsync(HttpMethod.Get, "/accounts", "HalAccounts", tokens.AccessToken, null, ct,
            tamper: request =>
            {
                request.Headers.Remove("X-Request-ID");
                request.Headers.Add("X-Request-ID", Guid.NewGuid().ToString());
            });
        Assert.Equal(HttpStatusCode.Unauthorized, tampered.Status);
        Assert.StartsWith("signature invalid: ", tampered.Message, StringComparison.Ordinal);

        // The other TPP's seal, fetched from where that TPP publishes it, over this TPP's QWAC.
        using var sealedByOther = new StetTpp(bank, bank.Tpp with { QsealC = bank.OtherTpp.QsealC });
        var foreign = await sealedByOther.GetAsync("/accounts", "HalAccounts", tokens.AccessToken, ct);
        Assert.Equal(HttpStatusCode.Unauthorized, foreign.Status);
        Assert.StartsWith("signature invalid: ", foreign.Message, StringComparison.Ordinal);

        Assert.Equal(HttpStatusCode.OK, (await tpp.GetAsync("/accounts", "HalAccounts", tokens.AccessToken, ct)).Status);
        await tpp.AssertRecordedMatchSpecAsync(ct);
        await sealedByOther.AssertRecordedMatchSpecAsync(ct);
    }

    [Fact]
    public async Task A_request_without_X_Request_ID_is_a_400_ErrorModel()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        using var client = bank.TppClient(bank.Tpp.Qwac);
        using var response = await client.GetAsync("/stet/psd2/v1/accounts", timeout.Token);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var body = await response.Content.ReadFromJsonAsync<JsonObject>(timeout.Token);
        Assert.Equal(400, body!["status"]!.GetValue<int>());
        Assert.Equal("X-Request-ID header missing", body["message"]!.GetValue<string>());
        Assert.Equal("/stet/psd2/v1/accounts", body["path"]!.GetValue<string>());
    }

    [Fact]
    public async Task Unknown_paths_and_methods_answer_in_the_ErrorModel()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        using var tpp = new StetTpp(bank, bank.Tpp);

        var unknown = await tpp.GetAsync("/end-user-identity", "ErrorModel", "some-token", timeout.Token);
        var method = await tpp.SendAsync(HttpMethod.Delete, "/consents", "ErrorModel", "some-token", null, timeout.Token);

        Assert.Equal(HttpStatusCode.NotFound, unknown.Status);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, method.Status);
        await tpp.AssertRecordedMatchSpecAsync(timeout.Token);
    }

    [Fact]
    public async Task Faults_switched_on_for_one_consent_answer_in_the_ErrorModel_with_the_X_Request_ID()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        var ct = timeout.Token;
        using var tpp = new StetTpp(bank, bank.Tpp);
        var personalNumber = await bank.CreatePsuAsync(seed: 2201, ct);
        var tokens = await tpp.AuthoriseAsync(personalNumber, ct);
        var accountId = (await tpp.ConsentToAllAsync(tokens.AccessToken, ct))[0]!["resourceId"]!.GetValue<string>();
        using var admin = bank.Admin();
        var consentId = (await admin.GetFromJsonAsync<JsonArray>($"/sandbox/psus/{personalNumber}/consents", ct))![0]!["consentId"]!.GetValue<string>();
        try
        {
            await SetFaultAsync(admin, "accounts", new { errorRate = 1.0, onlyConsentId = consentId }, ct);
            await SetFaultAsync(admin, "balances", new { unavailableRate = 1.0, retryAfterSeconds = 7, onlyConsentId = consentId }, ct);

            var error = await tpp.GetAsync("/accounts", "HalAccounts", tokens.AccessToken, ct);
            Assert.Equal(HttpStatusCode.InternalServerError, error.Status);
            Assert.Equal("Simulated internal error.", error.Message);

            var unavailable = await tpp.GetAsync($"/accounts/{accountId}/balances", "HalBalances", tokens.AccessToken, ct);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, unavailable.Status);
            Assert.Equal(TimeSpan.FromSeconds(7), unavailable.RetryAfter);
        }
        finally
        {
            using var cleared = await admin.DeleteAsync("/sandbox/faults", CancellationToken.None);
        }

        Assert.Equal(HttpStatusCode.OK, (await tpp.GetAsync("/accounts", "HalAccounts", tokens.AccessToken, ct)).Status);
        await tpp.AssertRecordedMatchSpecAsync(ct);
    }

    private static async Task SetFaultAsync(HttpClient admin, string endpoint, object rule, CancellationToken cancellationToken)
    {
        using var response = await admin.PutAsJsonAsync($"/sandbox/faults/{endpoint}", rule, cancellationToken);
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
    }
}
