using System.Net;
using System.Text.Json;
using Npgsql;
using Psd2.IntegrationTests.Harness;

namespace Psd2.IntegrationTests.Api;

/// <summary>A connection after it is active: checked at the bank, renewed, deleted.</summary>
[Collection(AppCollection.Name)]
public sealed class ConnectionLifecycleTests(AppFixture fixture) : IDisposable
{
    private readonly BankTpp _bank = new(fixture.App);

    [Fact]
    public async Task RenewalTerminatesTheOldConsentAndKeepsTheAccountIds()
    {
        using var client = await ApiTestClient.CreateAsync(fixture.App);
        var psu = await _bank.CreatePsuAsync(accounts: 3);
        var old = await client.ActiveDecoupledConnectionAsync(psu);
        var oldId = old.GetProperty("id").GetGuid();
        var oldConsent = await client.BankConsentIdAsync(oldId);

        var started = await client.ConnectAsync(new { validDays = 30 }, $"/v1/connections/{oldId}/renew");
        Assert.Equal(oldId, started.GetProperty("renewsConnectionId").GetGuid());
        Assert.Equal("active", (await client.GetConnectionAsync(oldId)).GetProperty("status").GetString());
        var renewed = await client.WaitWhileAwaitingAsync(started.GetProperty("id").GetGuid());
        var retired = await client.GetConnectionAsync(oldId);

        Assert.Equal("active", renewed.GetProperty("status").GetString());
        Assert.Equal(AccountIds(old), AccountIds(renewed));
        Assert.Equal(3, AccountIds(renewed).Count);
        Assert.Equal("revoked", retired.GetProperty("status").GetString());
        Assert.Equal("renewed", retired.GetProperty("statusReason").GetString());
        Assert.Equal(renewed.GetProperty("id").GetGuid(), retired.GetProperty("replacedByConnectionId").GetGuid());
        Assert.Empty(retired.GetProperty("accounts").EnumerateArray());
        // The bank is told right after the switch, which readers see at once.
        await Eventually.True(async _ => (string?)(await _bank.AdminGetAsync($"/sandbox/consents/{oldConsent}"))["status"] == "terminatedByTpp",
            Eventually.Seconds(30), "the old consent terminated at the bank");

        using var again = await client.Api.PostAsJsonAsync($"/v1/connections/{oldId}/renew", new { });
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Equal("connection_not_renewable", await ApiTestClient.CodeAsync(again));
    }

    [Theory]
    [InlineData("sandboxbank")]
    [InlineData("ukbank")]
    [InlineData("stetbank")]
    public async Task RevocationAtTheBankShowsAsRevokedAtTheNextContact(string institutionId)
    {
        using var client = await ApiTestClient.CreateAsync(fixture.App);
        using var bank = new BankTpp(fixture.App, bank: institutionId);
        var psu = await bank.CreatePsuAsync();
        var id = await client.ActiveRedirectConnectionAsync(bank, institutionId, psu);
        using (var revoke = await bank.Admin.PostAsync($"/sandbox/consents/{await bank.NewestConsentAsync(psu)}/revoke", null))
        {
            revoke.EnsureSuccessStatusCode();
        }

        Assert.Equal("active", (await client.GetConnectionAsync(id)).GetProperty("status").GetString());
        using var verify = await client.Api.PostAsync($"/v1/connections/{id}/verify", null);
        var verified = await verify.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.OK, verify.StatusCode);
        Assert.Equal("revoked", verified.GetProperty("status").GetString());
        Assert.Equal("revoked_by_psu", verified.GetProperty("statusReason").GetString());
        Assert.NotEqual(JsonValueKind.Null, verified.GetProperty("consentCheckedAt").ValueKind);
        Assert.Equal((null, null), await TokenCiphersAsync(id));
    }

    [Theory]
    [InlineData("sandboxbank")]
    [InlineData("ukbank")]
    [InlineData("stetbank")]
    public async Task DeletingAConnectionTerminatesItsConsentAtTheBankWhateverTheStandard(string institutionId)
    {
        using var client = await ApiTestClient.CreateAsync(fixture.App);
        using var bank = new BankTpp(fixture.App, bank: institutionId);
        var psu = await bank.CreatePsuAsync();
        var id = await client.ActiveRedirectConnectionAsync(bank, institutionId, psu);
        var consentId = await bank.NewestConsentAsync(psu);

        using var deleted = await client.Api.DeleteAsync($"/v1/connections/{id}");

        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal("terminatedByTpp", (string?)(await bank.AdminGetAsync($"/sandbox/consents/{consentId}"))["status"]);
        Assert.Equal("deleted_by_client", (await client.GetConnectionAsync(id)).GetProperty("statusReason").GetString());
    }

    [Fact]
    public async Task VerifyingAValidConsentKeepsTheConnectionActive()
    {
        using var client = await ApiTestClient.CreateAsync(fixture.App);
        var connection = await client.ActiveDecoupledConnectionAsync(await _bank.CreatePsuAsync());

        var verified = await (await client.Api.PostAsync($"/v1/connections/{connection.GetProperty("id").GetGuid()}/verify", null)).Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal("active", verified.GetProperty("status").GetString());
        Assert.True(verified.GetProperty("consentCheckedAt").GetDateTimeOffset() >= connection.GetProperty("authorisedAt").GetDateTimeOffset());
    }

    [Fact]
    public async Task DeletingKeepsARevokedConnectionAndPurgingErasesItAndItsAccounts()
    {
        using var client = await ApiTestClient.CreateAsync(fixture.App);
        var kept = (await client.ActiveDecoupledConnectionAsync(await _bank.CreatePsuAsync())).GetProperty("id").GetGuid();
        var purged = await client.ActiveDecoupledConnectionAsync(await _bank.CreatePsuAsync());
        var purgedId = purged.GetProperty("id").GetGuid();
        var consents = new[] { await client.BankConsentIdAsync(kept), await client.BankConsentIdAsync(purgedId) };

        using var keep = await client.Api.DeleteAsync($"/v1/connections/{kept}");
        using var purge = await client.Api.DeleteAsync($"/v1/connections/{purgedId}?purge=true");

        Assert.Equal(HttpStatusCode.NoContent, keep.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, purge.StatusCode);
        var revoked = await client.GetConnectionAsync(kept);
        Assert.Equal("revoked", revoked.GetProperty("status").GetString());
        Assert.Equal("deleted_by_client", revoked.GetProperty("statusReason").GetString());
        Assert.Equal((null, null), await TokenCiphersAsync(kept));
        using var gone = await client.Api.GetAsync($"/v1/connections/{purgedId}");
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        Assert.Equal(0L, await ScalarAsync("SELECT count(*) FROM accounts WHERE id = ANY($1)", AccountIds(purged).ToArray()));
        foreach (var consent in consents)
        {
            Assert.Equal("terminatedByTpp", (string?)(await _bank.AdminGetAsync($"/sandbox/consents/{consent}"))["status"]);
        }
    }

    [Fact]
    public async Task DeletingWhileTheBankFailsChangesNothingAndSaysBankUnavailable()
    {
        using var client = await ApiTestClient.CreateAsync(fixture.App);
        var id = (await client.ActiveDecoupledConnectionAsync(await _bank.CreatePsuAsync())).GetProperty("id").GetGuid();
        using (var fault = await _bank.Admin.PutAsJsonAsync("/sandbox/faults/consents", new { unavailableRate = 1.0, onlyConsentId = await client.BankConsentIdAsync(id) }))
        {
            Assert.Equal(HttpStatusCode.NoContent, fault.StatusCode);
        }

        try
        {
            using var response = await client.Api.DeleteAsync($"/v1/connections/{id}?purge=true");

            Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
            Assert.Equal("bank_unavailable", await ApiTestClient.CodeAsync(response));
            Assert.Equal("active", (await client.GetConnectionAsync(id)).GetProperty("status").GetString());
        }
        finally
        {
            await _bank.ResetBankAsync();
        }
    }

    [Fact]
    public async Task OnlyALiveOrEndedConnectionCanBeRenewedAndAnotherAppsCannotBeTouched()
    {
        using var client = await ApiTestClient.CreateAsync(fixture.App);
        using var other = await ApiTestClient.CreateAsync(fixture.App);
        var rejected = await client.WaitWhileAwaitingAsync((await client.ConnectDecoupledAsync((await _bank.CreatePsuAsync("Cancel")).PersonalNumber)).GetProperty("id").GetGuid());
        var id = rejected.GetProperty("id").GetGuid();

        using var renew = await client.Api.PostAsJsonAsync($"/v1/connections/{id}/renew", new { });
        using var foreignRenew = await other.Api.PostAsJsonAsync($"/v1/connections/{id}/renew", new { });
        using var foreignVerify = await other.Api.PostAsync($"/v1/connections/{id}/verify", null);
        using var foreignDelete = await other.Api.DeleteAsync($"/v1/connections/{id}");

        Assert.Equal("connection_not_renewable", await ApiTestClient.CodeAsync(renew));
        Assert.Equal(HttpStatusCode.NotFound, foreignRenew.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, foreignVerify.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, foreignDelete.StatusCode);
        Assert.Equal("rejected", (await client.GetConnectionAsync(id)).GetProperty("status").GetString());
    }

    private static List<Guid> AccountIds(JsonElement connection) =>
        connection.GetProperty("accounts").EnumerateArray().Select(a => a.GetProperty("id").GetGuid()).Order().ToList();

    private async Task<(byte[]?, byte[]?)> TokenCiphersAsync(Guid connectionId)
    {
        await using var db = new NpgsqlConnection(fixture.App.GetConnectionString("psd2db"));
        await db.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT access_token_cipher, refresh_token_cipher FROM connections WHERE id = $1", db) { Parameters = { new() { Value = connectionId } } };
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        return (reader.IsDBNull(0) ? null : (byte[])reader[0], reader.IsDBNull(1) ? null : (byte[])reader[1]);
    }

    private async Task<object?> ScalarAsync(string sql, object parameter)
    {
        await using var db = new NpgsqlConnection(fixture.App.GetConnectionString("psd2db"));
        await db.OpenAsync();
        await using var command = new NpgsqlCommand(sql, db) { Parameters = { new() { Value = parameter } } };
        return await command.ExecuteScalarAsync();
    }

    public void Dispose() => _bank.Dispose();
}
