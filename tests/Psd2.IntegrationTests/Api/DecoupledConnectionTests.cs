using System.Net;
using System.Text.Json;
using Psd2.IntegrationTests.Harness;

namespace Psd2.IntegrationTests.Api;

/// <summary>Connections through BankID on the user's phone: the platform follows the order at the bank server-side.</summary>
[Collection(AppCollection.Name)]
public sealed class DecoupledConnectionTests(AppFixture fixture) : IDisposable
{
    private readonly BankTpp _bank = new(fixture.App);

    [Fact]
    public async Task ApprovingPsuEndsActiveWithTheAccountsListed()
    {
        using var client = await ApiTestClient.CreateAsync(fixture.App);
        var psu = await _bank.CreatePsuAsync("ApproveAfterDelay", accounts: 3);

        var started = await client.ConnectDecoupledAsync(psu.PersonalNumber);
        Assert.Equal("awaiting_decoupled_authorisation", started.GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.Null, started.GetProperty("authorisationUrl").ValueKind);
        var connection = await client.WaitWhileAwaitingAsync(started.GetProperty("id").GetGuid());

        Assert.Equal("active", connection.GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.Null, connection.GetProperty("statusReason").ValueKind);
        Assert.NotEqual(JsonValueKind.Null, connection.GetProperty("authorisedAt").ValueKind);
        Assert.NotEqual(JsonValueKind.Null, connection.GetProperty("validUntil").ValueKind);
        var ibans = connection.GetProperty("accounts").EnumerateArray().Select(a => a.GetProperty("iban").GetString()!).Order().ToList();
        Assert.Equal(psu.Ibans.Order().ToList(), ibans);
    }

    [Theory]
    [InlineData("Cancel", "rejected", "user_refused")]
    [InlineData("Timeout", "expired", "authorisation_timed_out")]
    public async Task PsuWhoCancelsIsRejectedAndOneWhoNeverAnswersExpiresAtTheBanksTimeout(string behaviour, string status, string reason)
    {
        using var client = await ApiTestClient.CreateAsync(fixture.App);
        var psu = await _bank.CreatePsuAsync(behaviour);

        var started = await client.ConnectDecoupledAsync(psu.PersonalNumber);
        var connection = await client.WaitWhileAwaitingAsync(started.GetProperty("id").GetGuid());

        Assert.Equal(status, connection.GetProperty("status").GetString());
        Assert.Equal(reason, connection.GetProperty("statusReason").GetString());
        Assert.Empty(connection.GetProperty("accounts").EnumerateArray());
        var events = await client.Api.GetFromJsonAsync<JsonElement>($"/v1/audit-events?connectionId={started.GetProperty("id").GetGuid()}");
        Assert.Equal(["connection.created", "connection." + status], events.GetProperty("items").EnumerateArray().Select(e => e.GetProperty("type").GetString()));
    }

    [Fact]
    public async Task TheAccessScopeIsWhatTheBankIsAskedForAndAScopeNoBankCanGrantIsRefused()
    {
        using var client = await ApiTestClient.CreateAsync(fixture.App);
        var psu = await _bank.CreatePsuAsync();

        var started = await client.ConnectAsync(new { institutionId = "sandboxbank", flow = "decoupled", psuId = psu.PersonalNumber, access = new[] { "balances" } });
        using var transactionsOnly = await client.Api.PostAsJsonAsync($"/v1/users/{client.UserId}/connections",
            new { institutionId = "sandboxbank", flow = "decoupled", psuId = psu.PersonalNumber, access = new[] { "transactions" } });

        Assert.Equal(["accounts", "balances"], started.GetProperty("access").EnumerateArray().Select(a => a.GetString()!));
        using var consent = await _bank.GetAsync($"/v1/consents/{await client.BankConsentIdAsync(started.GetProperty("id").GetGuid())}");
        var access = (await consent.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("access");
        Assert.Equal("allAccounts", access.GetProperty("availableAccountsWithBalance").GetString());
        Assert.False(access.TryGetProperty("allPsd2", out _));
        Assert.Equal("validation_failed", await ApiTestClient.CodeAsync(transactionsOnly));
    }

    [Fact]
    public async Task DecoupledWithoutAPsuIdOrWithAFlowTheBankDoesNotOfferIsRefused()
    {
        using var client = await ApiTestClient.CreateAsync(fixture.App);

        using var noPsu = await client.Api.PostAsJsonAsync($"/v1/users/{client.UserId}/connections", new { institutionId = "sandboxbank", flow = "decoupled" });
        using var badPsu = await client.Api.PostAsJsonAsync($"/v1/users/{client.UserId}/connections", new { institutionId = "sandboxbank", flow = "decoupled", psuId = "1 OR 1=1" });
        using var unknownFlow = await client.Api.PostAsJsonAsync($"/v1/users/{client.UserId}/connections", new { institutionId = "sandboxbank", flow = "embedded", psuId = "198805121236" });

        Assert.Equal(HttpStatusCode.BadRequest, noPsu.StatusCode);
        Assert.Equal("validation_failed", await ApiTestClient.CodeAsync(noPsu));
        Assert.Equal("validation_failed", await ApiTestClient.CodeAsync(badPsu));
        Assert.Equal("flow_not_supported", await ApiTestClient.CodeAsync(unknownFlow));
    }

    [Fact]
    public async Task BankRefusingTheConsentIsConsentRejectedAndLeavesAFailedConnection()
    {
        using var client = await ApiTestClient.CreateAsync(fixture.App);

        // A well-formed personal number the bank has no customer for.
        using var response = await client.Api.PostAsJsonAsync($"/v1/users/{client.UserId}/connections",
            new { institutionId = "sandboxbank", flow = "decoupled", psuId = "190001010008" });

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Equal("consent_rejected", await ApiTestClient.CodeAsync(response));
        var connections = await client.Api.GetFromJsonAsync<JsonElement>($"/v1/users/{client.UserId}/connections");
        var failed = Assert.Single(connections.EnumerateArray());
        Assert.Equal("failed", failed.GetProperty("status").GetString());
        Assert.Equal("consent_rejected", failed.GetProperty("statusReason").GetString());
    }

    public void Dispose() => _bank.Dispose();
}
