using System.Net;
using System.Text.Json.Nodes;

namespace Psd2.SandboxBank.Tests.UkOpenBanking;

/// <summary>What the UK dialect refuses, and how: request objects, tokens over other certificates, other TPPs' consents, ended consents, the daily limit.</summary>
[Collection(UkBankCollection.Name)]
public sealed class UkRefusalTests(UkBank bank)
{
    [Fact]
    public async Task Request_objects_that_are_tampered_unsigned_or_signed_with_a_QWAC_or_an_expired_QSealC_are_refused_on_the_banks_page()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        using var tpp = new UkTpp(bank, bank.Tpp);
        var consentId = await tpp.CreateConsentAsync(await tpp.ClientCredentialsTokenAsync(timeout.Token), timeout.Token);
        var claims = Claims(tpp, consentId);
        var signed = RequestObject.Sign(claims, bank.Tpp.QsealC);

        foreach (var (what, requestObject) in new[]
        {
            ("tampered", RequestObject.Tampered(signed, c => c["redirect_uri"] = "https://attacker.example/steal")),
            ("unsigned", RequestObject.Unsigned(claims, bank.Tpp.QsealC)),
            ("QWAC-signed", RequestObject.Sign(claims, bank.Tpp.Qwac)),
            ("signed with an expired QSealC", RequestObject.Sign(claims, bank.ExpiredQsealC)),
            ("signed by another TPP", RequestObject.Sign(claims, bank.OtherTpp.QsealC)),
        })
        {
            using var browser = bank.Browser();
            using var response = await tpp.AuthorizeAsync(browser, requestObject);
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{what}: {(int)response.StatusCode} {response.Headers.Location}");
        }

        // The genuine object is accepted: the PSU is asked to sign in.
        using var genuineBrowser = bank.Browser();
        using var genuine = await tpp.AuthorizeAsync(genuineBrowser, signed);
        Assert.Equal(HttpStatusCode.OK, genuine.StatusCode);
    }

    [Fact]
    public async Task An_expired_request_object_sends_the_PSU_back_with_invalid_request_object()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        using var tpp = new UkTpp(bank, bank.Tpp);
        var consentId = await tpp.CreateConsentAsync(await tpp.ClientCredentialsTokenAsync(timeout.Token), timeout.Token);
        var claims = Claims(tpp, consentId);
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        claims["nbf"] = now - 3600;
        claims["exp"] = now - 60;

        using var browser = bank.Browser();
        using var response = await tpp.AuthorizeAsync(browser, RequestObject.Sign(claims, bank.Tpp.QsealC));

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var callback = System.Web.HttpUtility.ParseQueryString(response.Headers.Location!.Query);
        Assert.StartsWith(UkTpp.RedirectUri, response.Headers.Location!.ToString(), StringComparison.Ordinal);
        Assert.Equal("invalid_request_object", callback["error"]);
        Assert.Equal(claims["state"]!.GetValue<string>(), callback["state"]);
    }

    [Fact]
    public async Task A_PSU_who_refuses_sends_the_TPP_access_denied_and_the_consent_is_rejected()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        using var tpp = new UkTpp(bank, bank.Tpp);
        var personalNumber = await bank.CreatePsuAsync(seed: 202, timeout.Token);
        var clientToken = await tpp.ClientCredentialsTokenAsync(timeout.Token);
        var consentId = await tpp.CreateConsentAsync(clientToken, timeout.Token);

        using var browser = bank.Browser();
        using var signIn = await tpp.AuthorizeAsync(browser, RequestObject.Sign(Claims(tpp, consentId), bank.Tpp.QsealC));
        var callback = await BankPages.SignInAndDecideAsync(browser, await signIn.Content.ReadAsStringAsync(timeout.Token), personalNumber, "deny", timeout.Token);

        Assert.Equal("access_denied", System.Web.HttpUtility.ParseQueryString(callback.Query)["error"]);
        var (_, consent) = await tpp.GetAsync($"/account-access-consents/{consentId}", "/account-access-consents/{ConsentId}", clientToken, timeout.Token);
        Assert.Equal("RJCT", consent!["Data"]!["Status"]!.GetValue<string>());
        await tpp.AssertRecordedMatchSpecAsync(timeout.Token);
    }

    [Fact]
    public async Task A_token_presented_over_another_certificate_is_refused_with_401()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        using var tpp = new UkTpp(bank, bank.Tpp);
        var personalNumber = await bank.CreatePsuAsync(seed: 303, timeout.Token);
        var clientToken = await tpp.ClientCredentialsTokenAsync(timeout.Token);
        var tokens = await tpp.AuthoriseAsync(await tpp.CreateConsentAsync(clientToken, timeout.Token), personalNumber, timeout.Token);
        using var sameTppOtherCertificate = bank.TppClient(bank.SecondQwac);

        var (accounts, _) = await tpp.GetAsync("/accounts", "/accounts", tokens.AccessToken, timeout.Token, over: sameTppOtherCertificate);
        var (consent, _) = await tpp.GetAsync("/account-access-consents/x", "/account-access-consents/{ConsentId}", clientToken, timeout.Token, over: sameTppOtherCertificate);
        var (own, _) = await tpp.GetAsync("/accounts", "/accounts", tokens.AccessToken, timeout.Token);

        Assert.Equal(HttpStatusCode.Unauthorized, accounts);
        Assert.Equal(HttpStatusCode.Unauthorized, consent);
        Assert.Equal(HttpStatusCode.OK, own);
        await tpp.AssertRecordedMatchSpecAsync(timeout.Token);
    }

    [Fact]
    public async Task Another_TPP_can_neither_read_nor_delete_a_consent()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        using var owner = new UkTpp(bank, bank.Tpp);
        using var other = new UkTpp(bank, bank.OtherTpp);
        var ownerToken = await owner.ClientCredentialsTokenAsync(timeout.Token);
        var consentId = await owner.CreateConsentAsync(ownerToken, timeout.Token);
        var otherToken = await other.ClientCredentialsTokenAsync(timeout.Token);

        var (read, readBody) = await other.GetAsync($"/account-access-consents/{consentId}", "/account-access-consents/{ConsentId}", otherToken, timeout.Token);
        var (delete, _) = await other.SendAsync(HttpMethod.Delete, $"/account-access-consents/{consentId}", "/account-access-consents/{ConsentId}", otherToken, null, timeout.Token);
        var (still, stillBody) = await owner.GetAsync($"/account-access-consents/{consentId}", "/account-access-consents/{ConsentId}", ownerToken, timeout.Token);

        Assert.Equal(HttpStatusCode.Forbidden, read);
        Assert.Equal("U011", readBody!["Errors"]![0]!["ErrorCode"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.Forbidden, delete);
        Assert.Equal(HttpStatusCode.OK, still);
        Assert.Equal("AWAU", stillBody!["Data"]!["Status"]!.GetValue<string>());

        // The owner may delete it; then it is cancelled.
        var (deleted, _) = await owner.SendAsync(HttpMethod.Delete, $"/account-access-consents/{consentId}", "/account-access-consents/{ConsentId}", ownerToken, null, timeout.Token);
        var (_, after) = await owner.GetAsync($"/account-access-consents/{consentId}", "/account-access-consents/{ConsentId}", ownerToken, timeout.Token);
        Assert.Equal(HttpStatusCode.NoContent, deleted);
        Assert.Equal("CANC", after!["Data"]!["Status"]!.GetValue<string>());
        await owner.AssertRecordedMatchSpecAsync(timeout.Token);
        await other.AssertRecordedMatchSpecAsync(timeout.Token);
    }

    [Fact]
    public async Task A_revoked_or_deleted_consent_answers_403_with_the_specs_error_body()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        using var tpp = new UkTpp(bank, bank.Tpp);
        var personalNumber = await bank.CreatePsuAsync(seed: 404, timeout.Token);
        var clientToken = await tpp.ClientCredentialsTokenAsync(timeout.Token);
        var revokedByPsu = await tpp.CreateConsentAsync(clientToken, timeout.Token);
        var revokedTokens = await tpp.AuthoriseAsync(revokedByPsu, personalNumber, timeout.Token);
        var deletedByTpp = await tpp.CreateConsentAsync(clientToken, timeout.Token);
        var deletedTokens = await tpp.AuthoriseAsync(deletedByTpp, personalNumber, timeout.Token);

        using (var admin = bank.Admin())
        {
            using var revoke = await admin.PostAsync($"/sandbox/consents/{revokedByPsu}/revoke", null, timeout.Token);
            Assert.Equal(HttpStatusCode.NoContent, revoke.StatusCode);
        }

        await tpp.SendAsync(HttpMethod.Delete, $"/account-access-consents/{deletedByTpp}", "/account-access-consents/{ConsentId}", clientToken, null, timeout.Token);

        foreach (var tokens in new[] { revokedTokens, deletedTokens })
        {
            var (status, body) = await tpp.GetAsync("/accounts", "/accounts", tokens.AccessToken, timeout.Token);
            Assert.Equal(HttpStatusCode.Forbidden, status);
            Assert.Equal("U009", body!["Errors"]![0]!["ErrorCode"]!.GetValue<string>());
            Assert.Equal("UK.OBIE.Resource.InvalidConsentStatus", body["Code"]!.GetValue<string>());
        }

        var (_, consent) = await tpp.GetAsync($"/account-access-consents/{revokedByPsu}", "/account-access-consents/{ConsentId}", clientToken, timeout.Token);
        Assert.Equal("CANC", consent!["Data"]!["Status"]!.GetValue<string>());
        await tpp.AssertRecordedMatchSpecAsync(timeout.Token);
    }

    [Fact]
    public async Task The_fifth_unattended_read_of_a_day_gets_429_with_Retry_After_while_the_PSU_may_still_read()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        using var tpp = new UkTpp(bank, bank.Tpp);
        var personalNumber = await bank.CreatePsuAsync(seed: 505, timeout.Token);
        var tokens = await tpp.AuthoriseAsync(await tpp.CreateConsentAsync(await tpp.ClientCredentialsTokenAsync(timeout.Token), timeout.Token), personalNumber, timeout.Token);

        for (var read = 1; read <= 4; read++)
        {
            Assert.Equal(HttpStatusCode.OK, (await tpp.GetAsync("/accounts", "/accounts", tokens.AccessToken, timeout.Token)).Status);
        }

        using var client = bank.TppClient(bank.Tpp.Qwac);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/open-banking/v4.0/aisp/accounts");
        request.Headers.Authorization = new("Bearer", tokens.AccessToken);
        using var fifth = await client.SendAsync(request, timeout.Token);
        Assert.Equal(HttpStatusCode.TooManyRequests, fifth.StatusCode);
        Assert.True(fifth.Headers.RetryAfter?.Delta > TimeSpan.Zero);
        Assert.True(Guid.TryParse(fifth.Headers.GetValues("x-fapi-interaction-id").Single(), out _), "a generated interaction id");
        Assert.Empty(await fifth.Content.ReadAsByteArrayAsync(timeout.Token));

        var present = new Dictionary<string, string> { ["x-fapi-customer-ip-address"] = "2001:db8::7" };
        Assert.Equal(HttpStatusCode.OK, (await tpp.GetAsync("/accounts", "/accounts", tokens.AccessToken, timeout.Token, headers: present)).Status);
        await tpp.GetAsync("/accounts", "/accounts", tokens.AccessToken, timeout.Token);
        await tpp.AssertRecordedMatchSpecAsync(timeout.Token);
    }

    [Fact]
    public async Task A_consent_without_permissions_or_with_an_unknown_one_is_a_400_naming_the_field()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        using var tpp = new UkTpp(bank, bank.Tpp);
        var clientToken = await tpp.ClientCredentialsTokenAsync(timeout.Token);

        foreach (var (permissions, code) in new[] { (new JsonArray(), "U004"), (new JsonArray("ReadEverything"), "U002"), (new JsonArray("ReadTransactionsDetail"), "U002") })
        {
            var body = new JsonObject { ["Data"] = new JsonObject { ["Permissions"] = permissions }, ["Risk"] = new JsonObject() };
            var (status, error) = await tpp.SendAsync(HttpMethod.Post, "/account-access-consents", "/account-access-consents", clientToken, body, timeout.Token);
            Assert.Equal(HttpStatusCode.BadRequest, status);
            Assert.Equal(code, error!["Errors"]![0]!["ErrorCode"]!.GetValue<string>());
            Assert.Equal("Data.Permissions", error["Errors"]![0]!["Path"]!.GetValue<string>());
        }

        await tpp.AssertRecordedMatchSpecAsync(timeout.Token);
    }

    private static JsonObject Claims(UkTpp tpp, string consentId)
    {
        var (_, challenge) = BankPages.NewPkce();
        return RequestObject.Claims(tpp.ClientId, tpp.Issuer, consentId, UkTpp.RedirectUri, Guid.NewGuid().ToString("N"), challenge);
    }
}
