using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Psd2.Core.Persistence;
using Psd2.Core.Refresh;
using Psd2.IntegrationTests.Harness;
using Psd2.IntegrationTests.Webhooks;

namespace Psd2.IntegrationTests.Worker;

/// <summary>What the worker's consent checks and token refreshes do to connections, seen through the api.</summary>
[Collection(WorkerCollection.Name)]
public sealed class ConsentLifecycleWorkerTests(WorkerAppFixture fixture) : IDisposable
{
    private readonly BankTpp _bank = new(fixture.App);

    [Fact]
    public async Task AConnectionValidForEightMoreDaysIsRenewalDueAfterOneDayAndExpiredAfterItsLastDay()
    {
        var clock = new SharedClock(fixture.App, _bank);
        // Midday, when the bank's date (Stockholm) and the UTC date the platform judges validity by agree.
        await clock.AdvanceToLocalAsync(new TimeOnly(12, 0));
        using var client = await ApiTestClient.CreateAsync(fixture.App);
        await using var receiver = await WebhookReceiver.StartAsync();
        var (_, secret) = await WebhookTests.CreateEndpointAsync(client, receiver.Url);
        var connection = (await WorkerTestData.ConnectAsync(fixture.App, client, _bank, 1, validDays: 8))[0];
        Assert.Equal("active", (await client.GetConnectionAsync(connection.Id)).GetProperty("status").GetString());

        await clock.AdvanceAsync(TimeSpan.FromDays(1));
        var due = await WorkerTestData.WaitForStatusAsync(client, connection.Id, "renewal_due", 30);
        Assert.Equal("consent_expires_soon", due.GetProperty("statusReason").GetString());
        Assert.Equal(1, await EventsAsync(connection.Id, "connection.renewal_due"));
        var told = await receiver.WaitForEventAsync("connection.renewal_due", connection.Id);
        Assert.True(told.Verifies(secret, await clock.NowAsync()), "connection.renewal_due does not verify with the endpoint's secret");
        Assert.Equal("renewal_due", told.Data.GetProperty("status").GetString());

        var validUntil = DateOnly.Parse(due.GetProperty("validUntil").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
        var today = SharedClock.BankDay(await clock.NowAsync());
        await clock.AdvanceAsync(TimeSpan.FromDays(validUntil.DayNumber - today.DayNumber + 1));
        var expired = await WorkerTestData.WaitForStatusAsync(client, connection.Id, "expired", 30);
        Assert.Equal("consent_expired", expired.GetProperty("statusReason").GetString());
        Assert.Equal(1, await EventsAsync(connection.Id, "connection.expired"));
        Assert.True((await receiver.WaitForEventAsync("connection.expired", connection.Id)).Verifies(secret, await clock.NowAsync()));
        var schedule = await client.Api.GetFromJsonAsync<JsonElement>($"/v1/connections/{connection.Id}/schedule");
        Assert.Equal(JsonValueKind.Null, schedule.GetProperty("nextRefreshAt").ValueKind);
        Assert.Contains(schedule.GetProperty("lastRuns").EnumerateArray(), r => r.GetProperty("kind").GetString() == "consent_check");
    }

    [Fact]
    public async Task AConsentRevokedAtTheBankIsRevokedOnThePlatformWithinOneCheckInterval()
    {
        using var client = await ApiTestClient.CreateAsync(fixture.App);
        await using var receiver = await WebhookReceiver.StartAsync();
        var (_, secret) = await WebhookTests.CreateEndpointAsync(client, receiver.Url);
        var connection = (await WorkerTestData.ConnectAsync(fixture.App, client, _bank, 1))[0];
        // Let the first check be planned before the revocation, so the wait below is one ordinary interval.
        await Eventually.True(_ => PlannedCheckAsync(connection.Id), Eventually.Seconds(30), "the connection's first consent check planned");

        using var revoke = await _bank.Admin.PostAsync($"/sandbox/consents/{connection.ConsentId}/revoke", null);
        revoke.EnsureSuccessStatusCode();

        var revoked = await WorkerTestData.WaitForStatusAsync(client, connection.Id, "revoked", (int)WorkerAppFixture.ConsentCheckInterval.TotalSeconds + 10);
        Assert.Equal("revoked_by_psu", revoked.GetProperty("statusReason").GetString());
        Assert.Equal(1, await EventsAsync(connection.Id, "connection.revoked"));
        var told = await receiver.WaitForEventAsync("connection.revoked", connection.Id);
        Assert.True(told.Verifies(secret, await new SharedClock(fixture.App, _bank).NowAsync()), "connection.revoked does not verify with the endpoint's secret");
        Assert.Equal("revoked_by_psu", told.Data.GetProperty("reason").GetString());
    }

    [Fact]
    public async Task ARefusedTokenRefreshAsksTheUserToAuthenticateAgain()
    {
        using var client = await ApiTestClient.CreateAsync(fixture.App);
        var connection = (await WorkerTestData.ConnectAsync(fixture.App, client, _bank, 1))[0];
        var clock = new SharedClock(fixture.App, _bank);

        // Someone else uses the platform's refresh token first: when the platform presents it, the bank refuses it (invalid_grant).
        var stored = (await StoredTokens.ReadAsync(fixture.App, connection.Id))!;
        using (var stolen = await _bank.TokenAsync(new() { ["grant_type"] = "refresh_token", ["refresh_token"] = stored.RefreshToken }))
        {
            stolen.EnsureSuccessStatusCode();
            var tokens = await stolen.Content.ReadFromJsonAsync<JsonElement>();
            SeenSecrets.Add(SecretKind.AccessToken, tokens.GetProperty("access_token").GetString());
            SeenSecrets.Add(SecretKind.RefreshToken, tokens.GetProperty("refresh_token").GetString());
        }

        // The access token now nears its end, so the worker refreshes it ahead of expiry (or, when a refresh slot
        // comes first, the unattended sync finds the token expired and refreshes it): the bank refuses either.
        await clock.AdvanceAsync(TimeSpan.FromMinutes(5));
        var failed = await WorkerTestData.WaitForStatusAsync(client, connection.Id, "failed", 30);
        Assert.Equal("reauthentication_required", failed.GetProperty("statusReason").GetString());
        Assert.Equal(1, await EventsAsync(connection.Id, "connection.failed"));
        var schedule = await client.Api.GetFromJsonAsync<JsonElement>($"/v1/connections/{connection.Id}/schedule");
        Assert.Contains(schedule.GetProperty("lastFailure").GetProperty("kind").GetString(), new[] { "token_refresh", "refresh" });
    }

    [Fact]
    public async Task TheDailyBudgetIsTakenAtomicallyAndNeverBeyondTheAllowance()
    {
        using var client = await ApiTestClient.CreateAsync(fixture.App);
        var connection = (await WorkerTestData.ConnectAsync(fixture.App, client, _bank, 1))[0];
        var day = new DateOnly(2001, 1, 1);

        // Twenty takers at once for a day that allows four: each of 1..4 handed out once, the rest refused.
        var taken = await Task.WhenAll(Enumerable.Range(0, 20).Select(async _ =>
        {
            await using var db = Context();
            return await new RefreshBudgetStore(db).TryTakeAsync(connection.Id, day, 4, CancellationToken.None);
        }));
        Assert.Equal([1, 2, 3, 4], taken.Where(t => t is not null).Select(t => t!.Value).Order());

        await using (var db = Context())
        {
            var store = new RefreshBudgetStore(db);
            Assert.Equal(1, await store.TryTakeAsync(connection.Id, day.AddDays(1), 4, CancellationToken.None));
            await store.SpendAsync(connection.Id, day.AddDays(1), 4, CancellationToken.None);
            Assert.Null(await store.TryTakeAsync(connection.Id, day.AddDays(1), 4, CancellationToken.None));
        }
    }

    private Psd2DbContext Context() =>
        new(new DbContextOptionsBuilder<Psd2DbContext>().UseNpgsql(fixture.App.GetConnectionString("psd2db")).Options);

    private async Task<bool> PlannedCheckAsync(Guid id) =>
        await WorkerTestData.ScalarAsync<DateTime?>(fixture.App, "SELECT next_consent_check_at FROM connections WHERE id = $1", id) is not null;

    private Task<long> EventsAsync(Guid connectionId, string type) =>
        WorkerTestData.ScalarAsync<long>(fixture.App, "SELECT count(*) FROM platform_events WHERE connection_id = $1 AND type = $2", connectionId, type);

    public void Dispose() => _bank.Dispose();
}
