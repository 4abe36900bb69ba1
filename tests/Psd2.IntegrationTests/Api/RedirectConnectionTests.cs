using System.Net;
using System.Text.Json;
using Npgsql;
using Psd2.IntegrationTests.Harness;

namespace Psd2.IntegrationTests.Api;

/// <summary>A connection through the redirect flow: the platform's consent at the bank, the user's BankID approval, back to the client.</summary>
[Collection(AppCollection.Name)]
public sealed class RedirectConnectionTests(AppFixture fixture) : IDisposable
{
    private const string ClientReturn = "https://client.example/bank-return";
    private readonly BankTpp _bank = new(fixture.App);

    private async Task<(TestClientApp Client, HttpClient Api, Guid UserId)> ClientWithUserAsync()
    {
        var client = await ClientAppCli.CreateAsync(fixture.App, ClientReturn);
        var api = ClientAppCli.ApiClient(fixture.App, client.Key);
        using var user = await api.PostAsJsonAsync("/v1/users", new { externalReference = "u-" + Guid.NewGuid().ToString("N")[..8] });
        return (client, api, (await user.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid());
    }

    private async Task<JsonElement> CreateConnectionAsync(HttpClient api, Guid userId)
    {
        using var response = await api.PostAsJsonAsync($"/v1/users/{userId}/connections", new { institutionId = "sandboxbank", flow = "redirect", redirectUri = ClientReturn });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, body + "\n" + string.Join("\n", fixture.App.LogTail("api", 40).Where(l => l.Contains("fail", StringComparison.Ordinal) || l.Contains("Exception", StringComparison.Ordinal))));
        return JsonDocument.Parse(body).RootElement;
    }

    /// <summary>The user's browser at the bank: BankID sign-in and approval; returns the api callback the bank redirects to.</summary>
    private async Task<Uri> ApproveAtBankAsync(string authorisationUrl, string personalNumber, string decision = "approve")
    {
        using var signIn = await _bank.Browser.GetAsync(authorisationUrl);
        Assert.Equal(HttpStatusCode.OK, signIn.StatusCode);
        using var bankId = await _bank.SubmitFormAsync(await signIn.Content.ReadAsStringAsync(), new() { ["personalNumber"] = personalNumber });
        using var decided = await _bank.SubmitFormAsync(await bankId.Content.ReadAsStringAsync(), new() { ["decision"] = decision });
        Assert.Equal(HttpStatusCode.Redirect, decided.StatusCode);
        await SeenSecrets.AddCallbackAsync(fixture.App, decided.Headers.Location!);
        return decided.Headers.Location!;
    }

    [Fact]
    public async Task UserApprovesAtTheBankAndTheConnectionIsActiveWithTokensEncrypted()
    {
        var (_, api, userId) = await ClientWithUserAsync();
        var psu = await _bank.CreatePsuAsync();
        var connection = await CreateConnectionAsync(api, userId);
        Assert.Equal("pending_authorisation", connection.GetProperty("status").GetString());

        var callback = await ApproveAtBankAsync(connection.GetProperty("authorisationUrl").GetString()!, psu.PersonalNumber);
        Assert.StartsWith(fixture.App.GetEndpoint("api").ToString(), callback.ToString(), StringComparison.Ordinal);
        using var browser = fixture.App.CreateHttpClient("api", followRedirects: false);
        using var back = await browser.GetAsync(callback);

        Assert.Equal(HttpStatusCode.Redirect, back.StatusCode);
        var id = connection.GetProperty("id").GetGuid();
        Assert.Equal($"{ClientReturn}?connectionId={id}&outcome=active", back.Headers.Location!.ToString());
        var active = await api.GetFromJsonAsync<JsonElement>($"/v1/connections/{id}");
        Assert.Equal("active", active.GetProperty("status").GetString());
        await SeenSecrets.AddTokensAsync(fixture.App, id);

        await using var db = new NpgsqlConnection(fixture.App.GetConnectionString("psd2db"));
        await db.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT access_token_cipher, refresh_token_cipher FROM connections WHERE id = $1", db) { Parameters = { new() { Value = id } } };
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        foreach (var cipher in new[] { (byte[])reader[0], (byte[])reader[1] })
        {
            // A bank token is 43 base64url characters; stored, it is 28 bytes longer and not text.
            Assert.Equal(43 + 28, cipher.Length);
            Assert.False(cipher.All(b => char.IsAsciiLetterOrDigit((char)b) || b is (byte)'-' or (byte)'_'));
        }
    }

    [Fact]
    public async Task ReplayedOrForgedCallbackIsStateInvalid()
    {
        var (_, api, userId) = await ClientWithUserAsync();
        var psu = await _bank.CreatePsuAsync();
        var connection = await CreateConnectionAsync(api, userId);
        var callback = await ApproveAtBankAsync(connection.GetProperty("authorisationUrl").GetString()!, psu.PersonalNumber);
        using var browser = fixture.App.CreateHttpClient("api", followRedirects: false);
        using var first = await browser.GetAsync(callback);
        Assert.Equal(HttpStatusCode.Redirect, first.StatusCode);
        await SeenSecrets.AddTokensAsync(fixture.App, connection.GetProperty("id").GetGuid());

        using var replay = await browser.GetAsync(callback);
        using var forged = await browser.GetAsync(callback.ToString().Replace("state=", "state=x", StringComparison.Ordinal));

        foreach (var response in new[] { replay, forged })
        {
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal("state_invalid", JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("code").GetString());
        }
    }

    [Fact]
    public async Task UserWhoRefusesAtTheBankReturnsToTheClientWithRejected()
    {
        var (_, api, userId) = await ClientWithUserAsync();
        var psu = await _bank.CreatePsuAsync();
        var connection = await CreateConnectionAsync(api, userId);

        var callback = await ApproveAtBankAsync(connection.GetProperty("authorisationUrl").GetString()!, psu.PersonalNumber, decision: "deny");
        using var browser = fixture.App.CreateHttpClient("api", followRedirects: false);
        using var back = await browser.GetAsync(callback);

        Assert.EndsWith("outcome=rejected", back.Headers.Location!.ToString(), StringComparison.Ordinal);
        var rejected = await api.GetFromJsonAsync<JsonElement>($"/v1/connections/{connection.GetProperty("id").GetGuid()}");
        Assert.Equal("rejected", rejected.GetProperty("status").GetString());
    }

    [Fact]
    public async Task RedirectUriOffTheAllowListUnknownInstitutionAndAnotherAppsUserAreRefused()
    {
        var (_, api, userId) = await ClientWithUserAsync();
        var (_, otherApi, _) = await ClientWithUserAsync();

        using var offList = await api.PostAsJsonAsync($"/v1/users/{userId}/connections", new { institutionId = "sandboxbank", redirectUri = "https://evil.example/steal" });
        using var unknown = await api.PostAsJsonAsync($"/v1/users/{userId}/connections", new { institutionId = "nobank", redirectUri = ClientReturn });
        using var foreignUser = await otherApi.PostAsJsonAsync($"/v1/users/{userId}/connections", new { institutionId = "sandboxbank", redirectUri = ClientReturn });
        var connection = await CreateConnectionAsync(api, userId);
        using var foreignConnection = await otherApi.GetAsync($"/v1/connections/{connection.GetProperty("id").GetGuid()}");

        Assert.Equal("redirect_uri_not_allowed", await CodeAsync(offList));
        Assert.Equal("institution_unknown", await CodeAsync(unknown));
        Assert.Equal(HttpStatusCode.NotFound, foreignUser.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, foreignConnection.StatusCode);
        otherApi.Dispose();
        api.Dispose();
    }

    [Fact]
    public async Task DeletingTheUserTerminatesTheConsentAtTheBankAndErasesTheConnection()
    {
        var (_, api, userId) = await ClientWithUserAsync();
        var psu = await _bank.CreatePsuAsync();
        var connection = await CreateConnectionAsync(api, userId);
        var callback = await ApproveAtBankAsync(connection.GetProperty("authorisationUrl").GetString()!, psu.PersonalNumber);
        using var browser = fixture.App.CreateHttpClient("api", followRedirects: false);
        using (var back = await browser.GetAsync(callback))
        {
            Assert.Equal(HttpStatusCode.Redirect, back.StatusCode);
        }

        await SeenSecrets.AddTokensAsync(fixture.App, connection.GetProperty("id").GetGuid());

        var consentId = BankTpp.Query(new Uri(connection.GetProperty("authorisationUrl").GetString()!), "scope")!["AIS:".Length..];
        using var deleted = await api.DeleteAsync($"/v1/users/{userId}");

        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        var atBank = await _bank.AdminGetAsync($"/sandbox/consents/{consentId}");
        Assert.Equal("terminatedByTpp", (string?)atBank["status"]);
        using var gone = await api.GetAsync($"/v1/connections/{connection.GetProperty("id").GetGuid()}");
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
    }

    [Fact]
    public async Task AuditTrailShowsTheConnectionsEventsToItsOwnAppOnlyWithoutTokens()
    {
        var (_, api, userId) = await ClientWithUserAsync();
        var (_, otherApi, _) = await ClientWithUserAsync();
        var psu = await _bank.CreatePsuAsync();
        var connection = await CreateConnectionAsync(api, userId);
        var callback = await ApproveAtBankAsync(connection.GetProperty("authorisationUrl").GetString()!, psu.PersonalNumber);
        using var browser = fixture.App.CreateHttpClient("api", followRedirects: false);
        using var back = await browser.GetAsync(callback);
        Assert.Equal(HttpStatusCode.Redirect, back.StatusCode);

        var id = connection.GetProperty("id").GetGuid();
        await SeenSecrets.AddTokensAsync(fixture.App, id);
        using var response = await api.GetAsync($"/v1/audit-events?connectionId={id}");
        var body = await response.Content.ReadAsStringAsync();
        var events = JsonDocument.Parse(body).RootElement.GetProperty("items").EnumerateArray().ToList();
        var foreign = await otherApi.GetFromJsonAsync<JsonElement>($"/v1/audit-events?connectionId={id}");

        Assert.Equal(["connection.created", "connection.authorised", "token.exchanged", "data.read"], events.Select(e => e.GetProperty("type").GetString()));
        Assert.All(events, e => Assert.False(string.IsNullOrEmpty(e.GetProperty("requestId").GetString())));
        Assert.DoesNotContain(BankTpp.Query(callback, "code")!, body, StringComparison.Ordinal);
        Assert.Equal(0, foreign.GetProperty("items").GetArrayLength());
        otherApi.Dispose();
        api.Dispose();
    }

    private static async Task<string?> CodeAsync(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("code").GetString();

    public void Dispose() => _bank.Dispose();
}
