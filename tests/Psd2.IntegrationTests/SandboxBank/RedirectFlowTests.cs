using System.Net;
using System.Text.Json;
using Psd2.IntegrationTests.Harness;

namespace Psd2.IntegrationTests.SandboxBank;

/// <summary>Redirect SCA over OAuth2: consent, BankID pages, code exchange with PKCE, refresh rotation, and their abuse.</summary>
[Collection(AppCollection.Name)]
public sealed class RedirectFlowTests(AppFixture fixture) : IDisposable
{
    private readonly BankTpp _bank = new(fixture.App);

    [Fact]
    public async Task ConsentCreatedForRedirectPointsToOAuthMetadataThatNamesBothHosts()
    {
        using var response = await _bank.PostConsentAsync(BankTpp.AllAccountsConsent());

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("REDIRECT", response.Headers.GetValues("ASPSP-SCA-Approach").Single());
        Assert.True(response.Headers.Contains("X-Request-ID"));
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("received", body.GetProperty("consentStatus").GetString());
        var metadataUrl = new Uri(body.GetProperty("_links").GetProperty("scaOAuth").GetProperty("href").GetString()!);
        var metadata = await _bank.Browser.GetFromJsonAsync<JsonElement>(metadataUrl.PathAndQuery);
        Assert.Equal(fixture.App.GetEndpoint("sandboxbank", "psu").ToString().TrimEnd('/'), metadata.GetProperty("issuer").GetString());
        Assert.StartsWith(fixture.App.GetEndpoint("sandboxbank", "https").ToString(), metadata.GetProperty("token_endpoint").GetString(), StringComparison.Ordinal);
        Assert.Equal(["S256"], metadata.GetProperty("code_challenge_methods_supported").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public async Task RequestIdIsEchoedAndRequiredAsUuid()
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/v1/accounts");
        request.Headers.Add("X-Request-ID", "99391c7e-ad88-49ec-a2ad-99ddcb1f7721");
        using var echoed = await _bank.Tpp.SendAsync(request);
        Assert.Equal("99391c7e-ad88-49ec-a2ad-99ddcb1f7721", echoed.Headers.GetValues("X-Request-ID").Single());

        using var missing = await _bank.Tpp.GetAsync("/v1/accounts");
        Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
        Assert.Equal("FORMAT_ERROR", await BankTpp.TppCodeAsync(missing));

        var notUuid = new HttpRequestMessage(HttpMethod.Get, "/v1/accounts");
        notUuid.Headers.Add("X-Request-ID", "not-a-uuid");
        using var refused = await _bank.Tpp.SendAsync(notUuid);
        Assert.Equal("FORMAT_ERROR", await BankTpp.TppCodeAsync(refused));
    }

    [Fact]
    public async Task PsuApprovesOnBankIdPageAndTppReadsAccountsBalancesAndEveryTransactionPage()
    {
        var psu = await _bank.CreatePsuAsync(accounts: 2);
        var connection = await _bank.ConnectAsync(psu);

        using var status = await _bank.GetAsync($"/v1/consents/{connection.ConsentId}/status");
        Assert.Equal("valid", (await status.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("consentStatus").GetString());

        using var list = await _bank.GetAsync("/v1/accounts?withBalance=true", connection.ConsentId, connection.AccessToken);
        Assert.Equal(HttpStatusCode.OK, list.StatusCode);
        var accounts = (await list.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accounts").EnumerateArray().ToList();
        Assert.Equal(psu.AccountIds, accounts.Select(a => a.GetProperty("resourceId").GetString()));
        Assert.All(accounts, a => Assert.Equal(3, a.GetProperty("balances").GetArrayLength()));

        var accountId = psu.AccountIds[0];
        using var balances = await _bank.GetAsync($"/v1/accounts/{accountId}/balances", connection.ConsentId, connection.AccessToken);
        var balanceTypes = (await balances.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("balances").EnumerateArray().Select(b => b.GetProperty("balanceType").GetString());
        Assert.Equal(["closingBooked", "interimAvailable", "expected"], balanceTypes);

        var from = DateTime.UtcNow.AddDays(-60).ToString("yyyy-MM-dd");
        var next = $"/v1/accounts/{accountId}/transactions?bookingStatus=both&dateFrom={from}";
        var ids = new List<string>();
        var pages = 0;
        while (next is not null)
        {
            using var page = await _bank.GetAsync(next, connection.ConsentId, connection.AccessToken);
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
            var report = (await page.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("transactions");
            ids.AddRange(report.GetProperty("booked").EnumerateArray().Select(t => t.GetProperty("transactionId").GetString()!));
            next = report.GetProperty("_links").TryGetProperty("next", out var link) ? link.GetProperty("href").GetString() : null;
            pages++;
        }

        Assert.True(ids.Count > 100, $"Expected more than a page of transactions in 60 days, got {ids.Count}.");
        Assert.True(pages >= 2);
        Assert.Equal(ids.Count, ids.Distinct().Count());
        // Following the pages is one read: the budget shows a single transactions access.
        var counts = await _bank.AdminGetAsync($"/sandbox/access-counts?consentId={connection.ConsentId}");
        Assert.Equal(1, counts.AsArray().Single(c => (string?)c!["endpoint"] == "transactions")!["count"]!.GetValue<int>());
    }

    [Fact]
    public async Task AuthorizationCodeWorksOnceAndItsReplayRevokesTheTokensItGave()
    {
        var psu = await _bank.CreatePsuAsync();
        var consentId = await _bank.CreateConsentAsync();
        var (verifier, challenge) = BankTpp.Pkce();
        var callback = await _bank.AuthorizeInBrowserAsync(consentId, psu.PersonalNumber, challenge, state: "xyz");
        Assert.StartsWith(BankTpp.RedirectUri, callback.ToString(), StringComparison.Ordinal);
        Assert.Equal("xyz", BankTpp.Query(callback, "state"));
        var form = new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code", ["code"] = BankTpp.Query(callback, "code")!, ["redirect_uri"] = BankTpp.RedirectUri, ["code_verifier"] = verifier,
        };

        using var first = await _bank.TokenAsync(form);
        var accessToken = (await first.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("access_token").GetString();
        using var replay = await _bank.TokenAsync(form);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, replay.StatusCode);
        Assert.Equal("invalid_grant", (await replay.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString());
        using var read = await _bank.GetAsync("/v1/accounts", consentId, accessToken);
        Assert.Equal(HttpStatusCode.Unauthorized, read.StatusCode);
        Assert.Equal("TOKEN_INVALID", await BankTpp.TppCodeAsync(read));
    }

    [Fact]
    public async Task WrongCodeVerifierIsInvalidGrant()
    {
        var psu = await _bank.CreatePsuAsync();
        var consentId = await _bank.CreateConsentAsync();
        var (_, challenge) = BankTpp.Pkce();
        var callback = await _bank.AuthorizeInBrowserAsync(consentId, psu.PersonalNumber, challenge);

        using var response = await _bank.TokenAsync(new()
        {
            ["grant_type"] = "authorization_code", ["code"] = BankTpp.Query(callback, "code")!, ["redirect_uri"] = BankTpp.RedirectUri,
            ["code_verifier"] = BankTpp.Pkce().Verifier,
        });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("code_verifier", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RefreshRotatesAndAReusedRefreshTokenRevokesTheWholeFamily()
    {
        var psu = await _bank.CreatePsuAsync();
        var connection = await _bank.ConnectAsync(psu);
        var refresh = new Dictionary<string, string> { ["grant_type"] = "refresh_token", ["refresh_token"] = connection.RefreshToken };

        using var rotated = await _bank.TokenAsync(refresh);
        Assert.Equal(HttpStatusCode.OK, rotated.StatusCode);
        var fresh = await rotated.Content.ReadFromJsonAsync<JsonElement>();
        Assert.NotEqual(connection.RefreshToken, fresh.GetProperty("refresh_token").GetString());

        using var reused = await _bank.TokenAsync(refresh);
        Assert.Equal(HttpStatusCode.BadRequest, reused.StatusCode);

        using var newestRefresh = await _bank.TokenAsync(new() { ["grant_type"] = "refresh_token", ["refresh_token"] = fresh.GetProperty("refresh_token").GetString()! });
        Assert.Equal(HttpStatusCode.BadRequest, newestRefresh.StatusCode);
        using var read = await _bank.GetAsync("/v1/accounts", connection.ConsentId, fresh.GetProperty("access_token").GetString());
        Assert.Equal("TOKEN_INVALID", await BankTpp.TppCodeAsync(read));
    }

    [Fact]
    public async Task PlainPkceAndForeignRedirectUriAreRefused()
    {
        var consentId = await _bank.CreateConsentAsync();
        var plain = $"/oauth2/authorize?response_type=code&client_id={_bank.ClientId}&redirect_uri={Uri.EscapeDataString(BankTpp.RedirectUri)}&scope=AIS:{consentId}&state=s&code_challenge={new string('a', 43)}&code_challenge_method=plain";
        using var plainResponse = await _bank.Browser.GetAsync(plain);
        Assert.Equal(HttpStatusCode.Redirect, plainResponse.StatusCode);
        Assert.Equal("invalid_request", BankTpp.Query(plainResponse.Headers.Location!, "error"));

        var foreign = plain.Replace(Uri.EscapeDataString(BankTpp.RedirectUri), Uri.EscapeDataString("https://evil.example/cb"), StringComparison.Ordinal);
        using var foreignResponse = await _bank.Browser.GetAsync(foreign);
        Assert.Equal(HttpStatusCode.BadRequest, foreignResponse.StatusCode);
        Assert.Null(foreignResponse.Headers.Location);
    }

    [Fact]
    public async Task PsuWhoCancelsIsSentBackWithAccessDeniedAndTheConsentIsRejected()
    {
        var psu = await _bank.CreatePsuAsync();
        var consentId = await _bank.CreateConsentAsync();

        var callback = await _bank.AuthorizeInBrowserAsync(consentId, psu.PersonalNumber, BankTpp.Pkce().Challenge, decision: "deny");

        Assert.Equal("access_denied", BankTpp.Query(callback, "error"));
        using var status = await _bank.GetAsync($"/v1/consents/{consentId}/status");
        Assert.Equal("rejected", (await status.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("consentStatus").GetString());
    }

    [Fact]
    public async Task TokenOfAnotherConsentIsTokenInvalid()
    {
        var psu = await _bank.CreatePsuAsync();
        var first = await _bank.ConnectAsync(psu);
        var second = await _bank.ConnectAsync(psu);

        using var response = await _bank.GetAsync("/v1/accounts", second.ConsentId, first.AccessToken);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("TOKEN_INVALID", await BankTpp.TppCodeAsync(response));
    }

    public void Dispose() => _bank.Dispose();
}
