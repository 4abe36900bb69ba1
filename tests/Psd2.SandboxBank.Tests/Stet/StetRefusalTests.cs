using System.Net;
using System.Text.Json.Nodes;
using Psd2.SandboxBank.Time;

namespace Psd2.SandboxBank.Tests.Stet;

/// <summary>
/// What the STET dialect refuses, tried as someone breaking in would: redirects to unregistered URIs, stolen codes
/// and tokens, reads the consent does not open, other PSUs' accounts, history beyond the scope, ended consents, the
/// day's budget.
/// </summary>
[Collection(StetBankCollection.Name)]
public sealed class StetRefusalTests(StetBank bank)
{
    [Fact]
    public async Task An_unregistered_redirect_uri_is_refused_on_the_banks_page_and_never_redirected_to()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        using var tpp = new StetTpp(bank, bank.Tpp);

        foreach (var redirectUri in new[] { "https://attacker.example/steal", StetBank.RedirectUri + "/", StetBank.RedirectUri + "?x=1", "" })
        {
            using var browser = bank.Browser();
            using var response = await StetTpp.AuthorizeAsync(browser, tpp.NewAuthorization(redirectUri: redirectUri).Parameters);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Null(response.Headers.Location);
        }

        // Past the redirect_uri, a request without the aisp scope goes back to the TPP with invalid_scope.
        using var scopeBrowser = bank.Browser();
        var noAisp = tpp.NewAuthorization(scope: "extended_transaction_history");
        using var refused = await StetTpp.AuthorizeAsync(scopeBrowser, noAisp.Parameters);
        Assert.Equal(HttpStatusCode.Redirect, refused.StatusCode);
        var callback = System.Web.HttpUtility.ParseQueryString(refused.Headers.Location!.Query);
        Assert.Equal("invalid_scope", callback["error"]);
        Assert.Equal(noAisp.State, callback["state"]);
    }

    [Fact]
    public async Task A_code_with_the_wrong_PKCE_verifier_or_used_twice_gives_no_tokens_and_reuse_revokes_the_first_ones()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        var ct = timeout.Token;
        using var tpp = new StetTpp(bank, bank.Tpp);
        var personalNumber = await bank.CreatePsuAsync(seed: 1201, ct);

        var authorization = tpp.NewAuthorization();
        var code = await tpp.CodeAsync(authorization, personalNumber, ct);
        var otherVerifier = tpp.NewAuthorization().Verifier;
        using (var mismatch = await tpp.PostFormAsync("/oauth2/token", authorization.CodeForm(code, tpp.ClientId, otherVerifier), ct))
        {
            Assert.Equal(HttpStatusCode.BadRequest, mismatch.StatusCode);
            Assert.Contains("invalid_grant", await mismatch.Content.ReadAsStringAsync(ct), StringComparison.Ordinal);
        }

        // The mismatch spent the code; a fresh one is exchanged, then replayed.
        var second = tpp.NewAuthorization();
        var secondCode = await tpp.CodeAsync(second, personalNumber, ct);
        var tokens = await tpp.TokenAsync(second.CodeForm(secondCode, tpp.ClientId), ct);
        using (var replay = await tpp.PostFormAsync("/oauth2/token", second.CodeForm(secondCode, tpp.ClientId), ct))
        {
            Assert.Equal(HttpStatusCode.BadRequest, replay.StatusCode);
        }

        var (status, body) = await tpp.GetAsync("/accounts", "HalAccounts", tokens.GetProperty("access_token").GetString(), ct);
        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Equal("access token revoked", body!["message"]!.GetValue<string>());
        await tpp.AssertRecordedMatchSpecAsync(ct);
    }

    [Fact]
    public async Task The_token_endpoint_offers_neither_CIBA_nor_client_credentials()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        using var tpp = new StetTpp(bank, bank.Tpp);

        foreach (var grant in new[] { "urn:openid:params:grant-type:ciba", "client_credentials" })
        {
            using var response = await tpp.PostFormAsync("/oauth2/token", new() { ["grant_type"] = grant, ["auth_req_id"] = "x", ["scope"] = "aisp" }, timeout.Token);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Contains("unsupported_grant_type", await response.Content.ReadAsStringAsync(timeout.Token), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_token_presented_over_another_QWAC_of_the_same_TPP_is_refused_with_401()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        using var tpp = new StetTpp(bank, bank.Tpp);
        var tokens = await tpp.AuthoriseAsync(await bank.CreatePsuAsync(seed: 1301, timeout.Token), timeout.Token);
        using var sameTppOtherCertificate = bank.TppClient(bank.SecondQwac);

        var stolen = await tpp.GetAsync("/accounts", "HalAccounts", tokens.AccessToken, timeout.Token, over: sameTppOtherCertificate);
        var own = await tpp.GetAsync("/accounts", "HalAccounts", tokens.AccessToken, timeout.Token);

        Assert.Equal(HttpStatusCode.Unauthorized, stolen.Status);
        Assert.Equal("access token bound to another certificate", stolen.Message);
        Assert.Equal(HttpStatusCode.OK, own.Status);
        await tpp.AssertRecordedMatchSpecAsync(timeout.Token);
    }

    [Fact]
    public async Task Balances_and_transactions_before_PUT_consents_or_of_an_unknown_account_are_refused()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        var ct = timeout.Token;
        using var tpp = new StetTpp(bank, bank.Tpp);
        var tokens = await tpp.AuthoriseAsync(await bank.CreatePsuAsync(seed: 1401, ct), ct);
        var (_, accounts) = await tpp.GetAsync("/accounts", "HalAccounts", tokens.AccessToken, ct);
        var accountId = accounts!["accounts"]![0]!["resourceId"]!.GetValue<string>();

        var balances = await tpp.GetAsync($"/accounts/{accountId}/balances", "HalBalances", tokens.AccessToken, ct);
        var transactions = await tpp.GetAsync($"/accounts/{accountId}/transactions", "HalTransactions", tokens.AccessToken, ct);
        var unknown = await tpp.GetAsync($"/accounts/{Guid.NewGuid():N}/balances", "HalBalances", tokens.AccessToken, ct);

        Assert.Equal(HttpStatusCode.Forbidden, balances.Status);
        Assert.Equal("account not consented for balances", balances.Message);
        Assert.Equal(HttpStatusCode.Forbidden, transactions.Status);
        Assert.Equal(HttpStatusCode.NotFound, unknown.Status);
        Assert.Equal("account unknown", unknown.Message);

        // Balances only: transactions stay closed.
        var iban = new JsonArray(new JsonObject { ["iban"] = accounts["accounts"]![0]!["accountId"]!["iban"]!.GetValue<string>() });
        Assert.Equal(HttpStatusCode.Created, (await tpp.PutConsentsAsync(tokens.AccessToken, iban, [], ct)).Status);
        Assert.Equal(HttpStatusCode.OK, (await tpp.GetAsync($"/accounts/{accountId}/balances", "HalBalances", tokens.AccessToken, ct)).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await tpp.GetAsync($"/accounts/{accountId}/transactions", "HalTransactions", tokens.AccessToken, ct)).Status);
        await tpp.AssertRecordedMatchSpecAsync(ct);
    }

    [Fact]
    public async Task PUT_consents_naming_another_PSUs_account_or_with_a_malformed_body_is_a_400()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        var ct = timeout.Token;
        using var tpp = new StetTpp(bank, bank.Tpp);
        var tokens = await tpp.AuthoriseAsync(await bank.CreatePsuAsync(seed: 1501, ct), ct);
        var others = await tpp.AuthoriseAsync(await bank.CreatePsuAsync(seed: 1502, ct), ct);
        var (_, otherAccounts) = await tpp.GetAsync("/accounts", "HalAccounts", others.AccessToken, ct);
        var otherIban = new JsonArray(new JsonObject { ["iban"] = otherAccounts!["accounts"]![0]!["accountId"]!["iban"]!.GetValue<string>() });

        var foreign = await tpp.PutConsentsAsync(tokens.AccessToken, otherIban, [], ct);
        var badJson = await tpp.SendAsync(HttpMethod.Put, "/consents", "ErrorModel", tokens.AccessToken, "{\"balances\": [", ct);
        var missing = await tpp.SendAsync(HttpMethod.Put, "/consents", "ErrorModel", tokens.AccessToken, "{\"balances\": []}", ct);

        Assert.Equal(HttpStatusCode.BadRequest, foreign.Status);
        Assert.Equal("an account in balances is not among the accounts this authorisation opens", foreign.Message);
        Assert.Equal(HttpStatusCode.BadRequest, badJson.Status);
        Assert.Equal(HttpStatusCode.BadRequest, missing.Status);
        await tpp.AssertRecordedMatchSpecAsync(ct);
    }

    [Fact]
    public async Task Transactions_older_than_90_days_need_the_extended_transaction_history_scope()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        var ct = timeout.Token;
        using var tpp = new StetTpp(bank, bank.Tpp);
        var personalNumber = await bank.CreatePsuAsync(seed: 1601, ct);
        var aispOnly = await tpp.AuthoriseAsync(personalNumber, ct, scope: "aisp");
        var extended = await tpp.AuthoriseAsync(personalNumber, ct);
        var accountId = (await tpp.ConsentToAllAsync(aispOnly.AccessToken, ct))[0]!["resourceId"]!.GetValue<string>();
        await tpp.ConsentToAllAsync(extended.AccessToken, ct);
        var today = bank.Service<BankClock>().Today;
        var old = $"/accounts/{accountId}/transactions?dateFrom={today.AddDays(-91):yyyy-MM-dd}&dateTo={today.AddDays(-80):yyyy-MM-dd}";
        var recent = $"/accounts/{accountId}/transactions?dateFrom={today.AddDays(-90):yyyy-MM-dd}";

        var refused = await tpp.GetAsync(old, "HalTransactions", aispOnly.AccessToken, ct);
        Assert.Equal(HttpStatusCode.Forbidden, refused.Status);
        Assert.Equal("transactions older than 90 days need the extended_transaction_history scope", refused.Message);
        Assert.Equal(HttpStatusCode.OK, (await tpp.GetAsync(recent, "HalTransactions", aispOnly.AccessToken, ct)).Status);
        Assert.Equal(HttpStatusCode.OK, (await tpp.GetAsync(old, "HalTransactions", extended.AccessToken, ct)).Status);
        await tpp.AssertRecordedMatchSpecAsync(ct);
    }

    [Fact]
    public async Task A_revoked_token_is_a_401_and_a_consent_the_TPP_ended_a_403_that_says_so()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        var ct = timeout.Token;
        using var tpp = new StetTpp(bank, bank.Tpp);
        var personalNumber = await bank.CreatePsuAsync(seed: 1701, ct);

        // A rotated refresh token presented again revokes its whole family; the consent stays.
        var stolen = await tpp.AuthoriseAsync(personalNumber, ct);
        await tpp.TokenAsync(new() { ["grant_type"] = "refresh_token", ["refresh_token"] = stolen.RefreshToken }, ct);
        using (var reuse = await tpp.PostFormAsync("/oauth2/token", new() { ["grant_type"] = "refresh_token", ["refresh_token"] = stolen.RefreshToken }, ct))
        {
            Assert.Equal(HttpStatusCode.BadRequest, reuse.StatusCode);
        }

        var revoked = await tpp.GetAsync("/accounts", "HalAccounts", stolen.AccessToken, ct);
        Assert.Equal(HttpStatusCode.Unauthorized, revoked.Status);
        Assert.Equal("access token revoked", revoked.Message);

        // RFC 7009: revoking the refresh token ends the consent, as terminated by the TPP.
        var given = await tpp.AuthoriseAsync(personalNumber, ct);
        using (var revocation = await tpp.PostFormAsync("/oauth2/revoke", new() { ["token"] = given.RefreshToken, ["token_type_hint"] = "refresh_token" }, ct))
        {
            Assert.Equal(HttpStatusCode.OK, revocation.StatusCode);
        }

        var terminated = await tpp.GetAsync("/accounts", "HalAccounts", given.AccessToken, ct);
        Assert.Equal(HttpStatusCode.Forbidden, terminated.Status);
        Assert.Equal("consent terminated by the TPP", terminated.Message);
        using (var refresh = await tpp.PostFormAsync("/oauth2/token", new() { ["grant_type"] = "refresh_token", ["refresh_token"] = given.RefreshToken }, ct))
        {
            Assert.Equal(HttpStatusCode.BadRequest, refresh.StatusCode);
        }

        // An unknown token is revoked without complaint; no token at all is invalid_request.
        using (var unknown = await tpp.PostFormAsync("/oauth2/revoke", new() { ["token"] = "never-issued" }, ct))
        {
            Assert.Equal(HttpStatusCode.OK, unknown.StatusCode);
        }

        using (var none = await tpp.PostFormAsync("/oauth2/revoke", new() { ["token_type_hint"] = "access_token" }, ct))
        {
            Assert.Equal(HttpStatusCode.BadRequest, none.StatusCode);
            Assert.Contains("invalid_request", await none.Content.ReadAsStringAsync(ct), StringComparison.Ordinal);
        }

        await tpp.AssertRecordedMatchSpecAsync(ct);
    }

    [Fact]
    public async Task A_consent_the_PSU_revoked_on_the_banks_page_is_a_403_saying_so()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        var ct = timeout.Token;
        using var tpp = new StetTpp(bank, bank.Tpp);
        var personalNumber = await bank.CreatePsuAsync(seed: 1801, ct);
        var tokens = await tpp.AuthoriseAsync(personalNumber, ct);
        await tpp.ConsentToAllAsync(tokens.AccessToken, ct);

        await tpp.RevokeAsPsuAsync(personalNumber, tpp.ClientId, ct);

        var answer = await tpp.GetAsync("/accounts", "HalAccounts", tokens.AccessToken, ct);
        Assert.Equal(HttpStatusCode.Forbidden, answer.Status);
        Assert.Equal("consent revoked by the PSU", answer.Message);
        await tpp.AssertRecordedMatchSpecAsync(ct);
    }

    [Fact]
    public async Task The_fifth_unattended_read_of_a_day_is_a_429_while_the_account_list_and_the_PSU_present_are_free()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        var ct = timeout.Token;
        using var tpp = new StetTpp(bank, bank.Tpp);
        var tokens = await tpp.AuthoriseAsync(await bank.CreatePsuAsync(seed: 1901, ct), ct);
        var accountId = (await tpp.ConsentToAllAsync(tokens.AccessToken, ct))[0]!["resourceId"]!.GetValue<string>();
        var balances = $"/accounts/{accountId}/balances";

        for (var read = 1; read <= 4; read++)
        {
            Assert.Equal(HttpStatusCode.OK, (await tpp.GetAsync(balances, "HalBalances", tokens.AccessToken, ct)).Status);
        }

        var fifth = await tpp.GetAsync(balances, "HalBalances", tokens.AccessToken, ct);
        Assert.Equal(HttpStatusCode.TooManyRequests, fifth.Status);
        Assert.True(fifth.RetryAfter > TimeSpan.Zero);

        var present = new Dictionary<string, string> { ["PSU-IP-Address"] = "2001:db8::7" };
        Assert.Equal(HttpStatusCode.OK, (await tpp.GetAsync(balances, "HalBalances", tokens.AccessToken, ct, headers: present)).Status);
        for (var list = 1; list <= 6; list++)
        {
            Assert.Equal(HttpStatusCode.OK, (await tpp.GetAsync("/accounts", "HalAccounts", tokens.AccessToken, ct)).Status);
        }

        await tpp.AssertRecordedMatchSpecAsync(ct);
    }
}
