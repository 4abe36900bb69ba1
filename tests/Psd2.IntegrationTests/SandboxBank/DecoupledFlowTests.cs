using System.Net;
using System.Text.Json;
using Psd2.IntegrationTests.Harness;

namespace Psd2.IntegrationTests.SandboxBank;

/// <summary>Decoupled SCA: the BankID app answers on the PSU's phone while the TPP polls, then takes tokens through the CIBA grant.</summary>
[Collection(AppCollection.Name)]
public sealed class DecoupledFlowTests(AppFixture fixture) : IDisposable
{
    private readonly BankTpp _bank = new(fixture.App);

    private async Task<(string ConsentId, string ScaStatusLink)> StartAsync(TestPsu psu)
    {
        using var response = await _bank.PostConsentAsync(BankTpp.AllAccountsConsent(), new Dictionary<string, string>
        {
            ["PSU-ID"] = psu.PersonalNumber, ["TPP-Decoupled-Preferred"] = "true",
        });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("DECOUPLED", response.Headers.GetValues("ASPSP-SCA-Approach").Single());
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return (body.GetProperty("consentId").GetString()!, body.GetProperty("_links").GetProperty("scaStatus").GetProperty("href").GetString()!);
    }

    /// <summary>Polls at the bank's pace (one second in tests) until the authorisation is final.</summary>
    private async Task<string> PollUntilFinalAsync(string scaStatusLink)
    {
        var status = await Eventually.Holds(async ct =>
        {
            using var response = await _bank.GetAsync(scaStatusLink);
            return response.StatusCode == HttpStatusCode.OK ? (await response.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("scaStatus").GetString() : null;
        }, status => status is "finalised" or "failed", Eventually.Seconds(30), "the decoupled authorisation to become final", every: TimeSpan.FromSeconds(1.1));
        return status!;
    }

    [Fact]
    public async Task ApprovingPsuFinalisesAndTheTppTakesTokensOnceThroughTheCibaGrant()
    {
        var psu = await _bank.CreatePsuAsync("ApproveAfterDelay");
        var (consentId, link) = await StartAsync(psu);
        var authorisationId = link.Split('/')[^1];
        var ciba = new Dictionary<string, string> { ["grant_type"] = "urn:openid:params:grant-type:ciba", ["auth_req_id"] = authorisationId };

        using (var pending = await _bank.TokenAsync(ciba))
        {
            Assert.Equal("authorization_pending", (await pending.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString());
        }

        Assert.Equal("finalised", await PollUntilFinalAsync(link));
        await Task.Delay(TimeSpan.FromSeconds(1.1));
        using var tokens = await _bank.TokenAsync(ciba);
        Assert.Equal(HttpStatusCode.OK, tokens.StatusCode);
        var accessToken = (await tokens.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("access_token").GetString();
        using var again = await _bank.TokenAsync(ciba);
        Assert.Equal(HttpStatusCode.BadRequest, again.StatusCode);

        using var accounts = await _bank.GetAsync("/v1/accounts", consentId, accessToken);
        Assert.Equal(HttpStatusCode.OK, accounts.StatusCode);
    }

    [Fact]
    public async Task PollingFasterThanAllowedGets429WithRetryAfter()
    {
        var psu = await _bank.CreatePsuAsync("Manual");
        var (_, link) = await StartAsync(psu);

        using var first = await _bank.GetAsync(link);
        using var second = await _bank.GetAsync(link);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal((HttpStatusCode)429, second.StatusCode);
        Assert.NotNull(second.Headers.RetryAfter?.Delta);
    }

    [Theory]
    [InlineData("Cancel", "rejected")]
    [InlineData("Timeout", "expired")]
    public async Task PsuWhoCancelsOrNeverAnswersFailsTheAuthorisationAndTheConsentSaysWhich(string behaviour, string consentStatus)
    {
        var psu = await _bank.CreatePsuAsync(behaviour);
        var (consentId, link) = await StartAsync(psu);

        Assert.Equal("failed", await PollUntilFinalAsync(link));
        using var status = await _bank.GetAsync($"/v1/consents/{consentId}/status");
        Assert.Equal(consentStatus, (await status.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("consentStatus").GetString());
    }

    [Fact]
    public async Task TesterApprovesByHandOnTheBankIdAppPage()
    {
        var psu = await _bank.CreatePsuAsync("Manual");
        var (consentId, link) = await StartAsync(psu);

        using var app = await _bank.Browser.GetAsync($"/bankid/app?personalNumber={psu.PersonalNumber}");
        var html = await app.Content.ReadAsStringAsync();
        Assert.Contains(link.Split('/')[^1], html, StringComparison.Ordinal);
        using var decided = await _bank.SubmitFormAsync(html, new() { ["decision"] = "approve" });
        Assert.Equal(HttpStatusCode.Redirect, decided.StatusCode);

        Assert.Equal("finalised", await PollUntilFinalAsync(link));
        using var status = await _bank.GetAsync($"/v1/consents/{consentId}/status");
        Assert.Equal("valid", (await status.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("consentStatus").GetString());
    }

    [Fact]
    public async Task PsuRevokesOnTheBanksConsentsPage()
    {
        var psu = await _bank.CreatePsuAsync();
        var connection = await _bank.ConnectAsync(psu);

        using var signIn = await _bank.Browser.GetAsync("/psu/consents");
        using var bankId = await _bank.SubmitFormAsync(await signIn.Content.ReadAsStringAsync(), new() { ["personalNumber"] = psu.PersonalNumber });
        using var signedIn = await _bank.SubmitFormAsync(await bankId.Content.ReadAsStringAsync(), new() { ["decision"] = "approve" });
        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        using var page = await _bank.Browser.GetAsync("/psu/consents");
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains(connection.ConsentId, html, StringComparison.Ordinal);
        using var revoked = await _bank.SubmitFormAsync(html, []);
        Assert.Equal(HttpStatusCode.Redirect, revoked.StatusCode);

        using var read = await _bank.GetAsync("/v1/accounts", connection.ConsentId, connection.AccessToken);
        Assert.Equal(HttpStatusCode.Unauthorized, read.StatusCode);
        using var status = await _bank.GetAsync($"/v1/consents/{connection.ConsentId}/status");
        Assert.Equal("revokedByPsu", (await status.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("consentStatus").GetString());
    }

    public void Dispose() => _bank.Dispose();
}
