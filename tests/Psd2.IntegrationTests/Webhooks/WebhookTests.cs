using System.Net;
using System.Text;
using System.Text.Json;
using Npgsql;
using Psd2.IntegrationTests.Harness;

namespace Psd2.IntegrationTests.Webhooks;

/// <summary>
/// Webhooks end to end: events the api writes to the outbox reach a client app's server (a Kestrel receiver inside the test),
/// signed with the endpoint's secret, retried while it is down, dead-lettered after the retry window, and redelivered on request.
/// </summary>
[Collection(AppCollection.Name)]
public sealed class WebhookTests(AppFixture fixture) : IDisposable
{
    private readonly BankTpp _bank = new(fixture.App);

    [Fact]
    public async Task AnActivatedAndRefreshedConnectionIsToldSignedToTheReceiver()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        using var client = await ApiTestClient.CreateAsync(fixture.App);
        var (endpointId, secret) = await CreateEndpointAsync(client, receiver.Url);
        var psu = await _bank.CreatePsuAsync(accounts: 2);

        var connectionId = (await client.ActiveDecoupledConnectionAsync(psu)).GetProperty("id").GetGuid();
        var active = await receiver.WaitForEventAsync("connection.active", connectionId);

        Assert.True(active.Verifies(secret), "connection.active does not verify with the endpoint's secret");
        Assert.Equal(active.EventId, active.Json.GetProperty("id").GetString());
        Assert.Equal("connection.active", active.Json.GetProperty("type").GetString());
        Assert.Equal(client.UserId, active.Json.GetProperty("userId").GetGuid());
        Assert.Equal("active", active.Data.GetProperty("status").GetString());
        Assert.Equal("decoupled", active.Data.GetProperty("flow").GetString());
        Assert.Equal("sandboxbank", active.Data.GetProperty("institutionId").GetString());
        var tokens = await SeenSecrets.AddTokensAsync(fixture.App, connectionId);
        AssertHoldsNoSecret(active, psu, tokens);

        // A rotated secret: deliveries carry both signatures until the previous secret expires.
        using var rotate = await client.Api.PostAsync($"/v1/webhook-endpoints/{endpointId}/rotate-secret", null);
        Assert.Equal(HttpStatusCode.OK, rotate.StatusCode);
        var rotated = (await rotate.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("secret").GetString()!;
        SeenSecrets.Add(SecretKind.WebhookSecret, rotated);

        var run = await client.SyncAsync(connectionId);
        Assert.Equal("succeeded", run.GetProperty("status").GetString());
        var runId = run.GetProperty("id").GetString();
        var completed = await receiver.WaitForAsync(r => r.Accepted && r.EventType == "sync.completed" && r.Data.GetProperty("syncRunId").GetString() == runId, "sync.completed");
        var added = await receiver.WaitForAsync(r => r.Accepted && r.EventType == "transactions.new" && r.Data.GetProperty("syncRunId").GetString() == runId, "transactions.new");

        Assert.True(completed.Verifies(rotated) && completed.Verifies(secret), "sync.completed must verify with the new and the previous secret");
        Assert.False(completed.Verifies(WebhookSecretOfAnotherEndpoint), "sync.completed verifies with a secret that is not the endpoint's");
        Assert.True(added.Verifies(rotated));
        Assert.Equal("succeeded", completed.Data.GetProperty("status").GetString());
        Assert.Equal(2, completed.Data.GetProperty("accountsSynced").GetInt32());
        var transactionsAdded = run.GetProperty("transactionsAdded").GetInt32();
        Assert.True(transactionsAdded > 0, "the first sync of a sandbox PSU adds transactions");
        Assert.Equal(transactionsAdded, completed.Data.GetProperty("transactionsAdded").GetInt32());
        Assert.Equal(run.GetProperty("transactionsUpdated").GetInt32(), completed.Data.GetProperty("transactionsUpdated").GetInt32());
        Assert.Equal(transactionsAdded, added.Data.GetProperty("count").GetInt32());
        var accounts = (await client.Api.GetFromJsonAsync<JsonElement>($"/v1/users/{client.UserId}/accounts")).EnumerateArray().Select(a => a.GetProperty("id").GetGuid()).ToHashSet();
        var told = added.Data.GetProperty("accountIds").EnumerateArray().Select(a => a.GetGuid()).ToList();
        Assert.NotEmpty(told);
        Assert.Subset(accounts, told.ToHashSet());
        Assert.Equal(transactionsAdded, added.Data.GetProperty("accounts").EnumerateArray().Sum(a => a.GetProperty("count").GetInt32()));
        AssertHoldsNoSecret(completed, psu, tokens);
        AssertHoldsNoSecret(added, psu, tokens);

        // Nothing new the second time: sync.completed again, but no transactions.new.
        var again = await client.SyncAsync(connectionId);
        var againId = again.GetProperty("id").GetString();
        await receiver.WaitForAsync(r => r.EventType == "sync.completed" && r.Data.GetProperty("syncRunId").GetString() == againId, "the second sync.completed");
        Assert.Equal(0, again.GetProperty("transactionsAdded").GetInt32());
        // A run's events are fanned out together, so a transactions.new of the second run would be a delivery by now.
        var deliveries = await DeliveriesAsync(client, endpointId);
        Assert.Single(deliveries, d => d.GetProperty("eventType").GetString() == "transactions.new");
        Assert.Equal(2, deliveries.Count(d => d.GetProperty("eventType").GetString() == "sync.completed"));
    }

    [Fact]
    public async Task RenewalDueAndRevocationAreDeliveredToAnEndpointThatAskedForThem()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        using var client = await ApiTestClient.CreateAsync(fixture.App);
        var (endpointId, secret) = await CreateEndpointAsync(client, receiver.Url, ["connection.renewal_due", "connection.revoked"]);
        var psu = await _bank.CreatePsuAsync();
        var started = await client.ConnectAsync(new { institutionId = "sandboxbank", flow = "decoupled", psuId = psu.PersonalNumber, validDays = 3 });
        var connectionId = started.GetProperty("id").GetGuid();
        Assert.Equal("active", (await client.WaitWhileAwaitingAsync(connectionId)).GetProperty("status").GetString());

        using (var verify = await client.Api.PostAsync($"/v1/connections/{connectionId}/verify", null))
        {
            Assert.Equal("renewal_due", (await verify.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString());
        }

        var due = await receiver.WaitForEventAsync("connection.renewal_due", connectionId);
        Assert.True(due.Verifies(secret));
        Assert.Equal("renewal_due", due.Data.GetProperty("status").GetString());
        Assert.Equal("consent_expires_soon", due.Data.GetProperty("reason").GetString());
        Assert.Equal(DateOnly.FromDateTime(DateTime.UtcNow).AddDays(3), DateOnly.Parse(due.Data.GetProperty("validUntil").GetString()!, System.Globalization.CultureInfo.InvariantCulture));

        using (var revoke = await _bank.Admin.PostAsync($"/sandbox/consents/{await client.BankConsentIdAsync(connectionId)}/revoke", null))
        {
            revoke.EnsureSuccessStatusCode();
        }

        using (var verify = await client.Api.PostAsync($"/v1/connections/{connectionId}/verify", null))
        {
            Assert.Equal("revoked", (await verify.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString());
        }

        var revoked = await receiver.WaitForEventAsync("connection.revoked", connectionId);
        Assert.True(revoked.Verifies(secret));
        Assert.Equal("revoked_by_psu", revoked.Data.GetProperty("reason").GetString());

        // The filter: the activation happened first, but this endpoint did not ask for connection.active.
        Assert.Equal(["connection.renewal_due", "connection.revoked"], receiver.Received.Select(r => r.EventType));
        // The receiver has the POST a moment before the worker records its outcome.
        var deliveries = await WaitForDeliveriesAsync(client, endpointId, ds => ds.All(d => d.GetProperty("status").GetString() != "pending"));
        Assert.Equal(["connection.revoked", "connection.renewal_due"], deliveries.Select(d => d.GetProperty("eventType").GetString()));
        Assert.All(deliveries, d => Assert.Equal("delivered", d.GetProperty("status").GetString()));
    }

    [Fact]
    public async Task ARenewalTellsOfTheNewConnectionAndOfTheOneItReplaced()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        using var client = await ApiTestClient.CreateAsync(fixture.App);
        var (_, secret) = await CreateEndpointAsync(client, receiver.Url, ["connection.active", "connection.revoked"]);
        var oldId = (await client.ActiveDecoupledConnectionAsync(await _bank.CreatePsuAsync())).GetProperty("id").GetGuid();
        await receiver.WaitForEventAsync("connection.active", oldId);

        var started = await client.ConnectAsync(new { validDays = 30 }, $"/v1/connections/{oldId}/renew");
        var newId = started.GetProperty("id").GetGuid();
        Assert.Equal("active", (await client.WaitWhileAwaitingAsync(newId)).GetProperty("status").GetString());

        var active = await receiver.WaitForEventAsync("connection.active", newId);
        var retired = await receiver.WaitForEventAsync("connection.revoked", oldId);
        Assert.True(active.Verifies(secret) && retired.Verifies(secret));
        Assert.Equal(oldId, active.Data.GetProperty("renewsConnectionId").GetGuid());
        Assert.Equal("renewed", retired.Data.GetProperty("reason").GetString());
        Assert.Equal(newId, retired.Data.GetProperty("replacedByConnectionId").GetGuid());
        Assert.True(DateTimeOffset.Parse(retired.Json.GetProperty("occurredAt").GetString()!, System.Globalization.CultureInfo.InvariantCulture)
            >= DateTimeOffset.Parse(active.Json.GetProperty("occurredAt").GetString()!, System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task AReceiverThatIsDownForAWhileGetsEveryEventOnceItIsBack()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.AnswerWith = 503;
        using var client = await ApiTestClient.CreateAsync(fixture.App);
        var (endpointId, secret) = await CreateEndpointAsync(client, receiver.Url);

        var connectionId = (await client.ActiveDecoupledConnectionAsync(await _bank.CreatePsuAsync())).GetProperty("id").GetGuid();
        await receiver.WaitForAsync(r => r.EventType == "connection.active" && r.AnsweredWith == 503, "a first connection.active answered 503");
        await receiver.WaitForAsync(r => r.EventType == "connection.active" && r.AnsweredWith == 503 && receiver.Received.Count(x => x.EventType == "connection.active") >= 2,
            "a retry of connection.active");

        // Down altogether: connections refused while the sync's events are written.
        await receiver.GoDownAsync();
        var run = await client.SyncAsync(connectionId);
        var refused = await WaitForDeliveryAsync(client, endpointId, d => d.GetProperty("eventType").GetString() == "sync.completed"
            && d.GetProperty("lastError").ValueKind == JsonValueKind.String, "a refused sync.completed attempt");
        Assert.Equal("connection_failed", refused.GetProperty("lastError").GetString());
        Assert.Equal("pending", refused.GetProperty("status").GetString());

        receiver.AnswerWith = 200;
        await receiver.ComeBackAsync();
        string[] expected = ["connection.active", "sync.completed", "transactions.new"];
        foreach (var type in expected)
        {
            await receiver.WaitForEventAsync(type, connectionId);
        }

        var accepted = receiver.Received.Where(r => r.Accepted).ToList();
        Assert.All(accepted, r => Assert.True(r.Verifies(secret)));
        Assert.Equal(expected, accepted.Select(r => r.EventType).Order());
        Assert.Equal(accepted.Count, accepted.Select(r => r.EventId).Distinct().Count());
        Assert.Equal(run.GetProperty("id").GetString(), accepted.Single(r => r.EventType == "sync.completed").Data.GetProperty("syncRunId").GetString());
        // Every POST of one event carries the same event id: the receiver de-duplicates on it.
        var active = accepted.Single(r => r.EventType == "connection.active");
        Assert.All(receiver.Received.Where(r => r.EventType == "connection.active"), r => Assert.Equal(active.EventId, r.EventId));

        var deliveries = await WaitForDeliveriesAsync(client, endpointId, ds => ds.Count == 3 && ds.All(d => d.GetProperty("status").GetString() == "delivered"));
        var answered = receiver.Received.GroupBy(r => r.EventId).ToDictionary(g => g.Key!, g => g.Count());
        foreach (var delivery in deliveries)
        {
            var attempts = delivery.GetProperty("attempts").GetInt32();
            Assert.True(attempts >= 2, $"{delivery.GetProperty("eventType")} was delivered at its first attempt although the receiver was down");
            // Attempts refused at the TCP level never reached the receiver; the rest did.
            Assert.InRange(answered[delivery.GetProperty("eventId").GetString()!], 1, attempts);
            Assert.Equal(200, delivery.GetProperty("lastStatusCode").GetInt32());
        }
    }

    [Fact]
    public async Task ADeliveryIsDeadAfterTheRetryWindowVisibleAndCanBeRedelivered()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.AnswerWith = 500;
        using var client = await ApiTestClient.CreateAsync(fixture.App);
        var (endpointId, secret) = await CreateEndpointAsync(client, receiver.Url, ["connection.active"]);

        var connectionId = (await client.ActiveDecoupledConnectionAsync(await _bank.CreatePsuAsync())).GetProperty("id").GetGuid();
        // The harness retries for 30 s (Webhooks:MaxAge in the worker's appsettings.Testing.json).
        var dead = await WaitForDeliveryAsync(client, endpointId, d => d.GetProperty("status").GetString() == "dead", "a dead letter", seconds: 90, status: "dead");
        var deliveryId = dead.GetProperty("id").GetGuid();
        Assert.Equal("connection.active", dead.GetProperty("eventType").GetString());
        Assert.Equal(500, dead.GetProperty("lastStatusCode").GetInt32());
        Assert.Equal(JsonValueKind.Null, dead.GetProperty("nextAttemptAt").ValueKind);
        // Dead at the last attempt inside the window: 30 s, plus the poll interval and the attempt itself.
        Assert.InRange(dead.GetProperty("deadAt").GetDateTimeOffset() - dead.GetProperty("scheduledAt").GetDateTimeOffset(), TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(35));

        var detail = await client.Api.GetFromJsonAsync<JsonElement>($"/v1/webhook-endpoints/{endpointId}/deliveries/{deliveryId}");
        var log = detail.GetProperty("attemptLog").EnumerateArray().ToList();
        var attempts = dead.GetProperty("attempts").GetInt32();
        Assert.True(attempts >= 3, $"only {attempts} attempts in the retry window");
        Assert.Equal(attempts, log.Count);
        Assert.All(log, a => Assert.Equal(500, a.GetProperty("statusCode").GetInt32()));
        Assert.All(log, a => Assert.True(a.GetProperty("durationMs").GetInt32() >= 0));
        Assert.Equal(attempts, receiver.Received.Count(r => r.EventType == "connection.active"));
        var gaps = log.Zip(log.Skip(1), (a, b) => b.GetProperty("attemptedAt").GetDateTimeOffset() - a.GetProperty("attemptedAt").GetDateTimeOffset()).ToList();
        Assert.True(gaps[^1] > gaps[0], $"the waits between attempts do not grow: {string.Join(", ", gaps.Select(g => g.TotalSeconds.ToString("0.00", System.Globalization.CultureInfo.InvariantCulture)))}");

        var pending = await DeliveriesAsync(client, endpointId, "pending");
        Assert.Empty(pending);

        receiver.AnswerWith = 204;
        using (var redeliver = await client.Api.PostAsync($"/v1/webhook-endpoints/{endpointId}/deliveries/{deliveryId}/redeliver", null))
        {
            Assert.Equal(HttpStatusCode.Accepted, redeliver.StatusCode);
            Assert.Equal("pending", (await redeliver.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString());
        }

        var redelivered = await receiver.WaitForEventAsync("connection.active", connectionId);
        Assert.True(redelivered.Verifies(secret));
        Assert.Equal(dead.GetProperty("eventId").GetString(), redelivered.EventId);
        Assert.Equal(deliveryId.ToString(), redelivered.DeliveryId);
        var delivered = await WaitForDeliveryAsync(client, endpointId, d => d.GetProperty("status").GetString() == "delivered", "the redelivery recorded", status: "delivered");
        Assert.Equal(deliveryId, delivered.GetProperty("id").GetGuid());
        Assert.Equal(204, delivered.GetProperty("lastStatusCode").GetInt32());
        Assert.Empty(await DeliveriesAsync(client, endpointId, "dead"));

        // An unknown status filter is refused.
        using var badStatus = await client.Api.GetAsync($"/v1/webhook-endpoints/{endpointId}/deliveries?status=lost");
        Assert.Equal(HttpStatusCode.BadRequest, badStatus.StatusCode);
        Assert.Equal("validation_failed", await ApiTestClient.CodeAsync(badStatus));
    }

    [Fact]
    public async Task AnotherClientAppCannotSeeOrTouchMyEndpointsOrDeliveries()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        using var owner = await ApiTestClient.CreateAsync(fixture.App);
        using var intruder = await ApiTestClient.CreateAsync(fixture.App);
        var (endpointId, _) = await CreateEndpointAsync(owner, receiver.Url);
        var connectionId = (await owner.ActiveDecoupledConnectionAsync(await _bank.CreatePsuAsync())).GetProperty("id").GetGuid();
        await receiver.WaitForEventAsync("connection.active", connectionId);
        var deliveryId = (await WaitForDeliveryAsync(owner, endpointId, d => d.GetProperty("status").GetString() == "delivered", "the owner's delivery")).GetProperty("id").GetGuid();
        var (intruderEndpoint, _) = await CreateEndpointAsync(intruder, receiver.Url);

        (HttpMethod Method, string Path)[] attempts =
        [
            (HttpMethod.Get, $"/v1/webhook-endpoints/{endpointId}"),
            (HttpMethod.Delete, $"/v1/webhook-endpoints/{endpointId}"),
            (HttpMethod.Post, $"/v1/webhook-endpoints/{endpointId}/rotate-secret"),
            (HttpMethod.Get, $"/v1/webhook-endpoints/{endpointId}/deliveries"),
            (HttpMethod.Get, $"/v1/webhook-endpoints/{endpointId}/deliveries/{deliveryId}"),
            (HttpMethod.Post, $"/v1/webhook-endpoints/{endpointId}/deliveries/{deliveryId}/redeliver"),
            // The owner's delivery under the intruder's own endpoint is just as unknown.
            (HttpMethod.Get, $"/v1/webhook-endpoints/{intruderEndpoint}/deliveries/{deliveryId}"),
            (HttpMethod.Post, $"/v1/webhook-endpoints/{intruderEndpoint}/deliveries/{deliveryId}/redeliver"),
        ];
        foreach (var (method, path) in attempts)
        {
            using var response = await intruder.Api.SendAsync(new HttpRequestMessage(method, path));
            Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"{method} {path}: {(int)response.StatusCode}");
            Assert.Equal("not_found", await ApiTestClient.CodeAsync(response));
        }

        var theirs = await intruder.Api.GetFromJsonAsync<JsonElement>("/v1/webhook-endpoints");
        Assert.Equal([intruderEndpoint], theirs.EnumerateArray().Select(e => e.GetProperty("id").GetGuid()));
        Assert.Empty(await DeliveriesAsync(intruder, intruderEndpoint));
        var mine = await owner.Api.GetFromJsonAsync<JsonElement>("/v1/webhook-endpoints");
        Assert.Equal([endpointId], mine.EnumerateArray().Select(e => e.GetProperty("id").GetGuid()));
        Assert.False(mine[0].TryGetProperty("secret", out _), "the secret is shown at creation only");
        var delivery = await owner.Api.GetFromJsonAsync<JsonElement>($"/v1/webhook-endpoints/{endpointId}/deliveries/{deliveryId}");
        Assert.Equal("delivered", delivery.GetProperty("status").GetString());

        using var deleted = await owner.Api.DeleteAsync($"/v1/webhook-endpoints/{endpointId}");
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        using var gone = await owner.Api.GetAsync($"/v1/webhook-endpoints/{endpointId}");
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
    }

    [Fact]
    public async Task UrlsThatAreNotHttpsToAPublicHostAndUnknownEventTypesAreRefused()
    {
        using var client = await ApiTestClient.CreateAsync(fixture.App);
        (object Body, string Code)[] refused =
        [
            (new { url = "http://hooks.example.com/psd2" }, "webhook_url_insecure"),
            (new { url = "http://10.0.0.5/psd2" }, "webhook_url_insecure"),
            (new { url = "https://10.0.0.5/psd2" }, "webhook_url_forbidden"),
            (new { url = "https://192.168.1.20/psd2" }, "webhook_url_forbidden"),
            (new { url = "https://169.254.169.254/latest/meta-data" }, "webhook_url_forbidden"),
            (new { url = "https://localhost/psd2" }, "webhook_url_forbidden"),
            (new { url = "https://[fd12::1]/psd2" }, "webhook_url_forbidden"),
            (new { url = "https://intranet/psd2" }, "webhook_url_forbidden"),
            (new { url = "not a url" }, "webhook_url_invalid"),
            (new { url = "javascript:alert(1)" }, "webhook_url_invalid"),
            (new { url = "https://" + new string('a', 3000) + ".example/" }, "webhook_url_invalid"),
            (new { }, "webhook_url_invalid"),
            (new { url = "https://hooks.example.com/psd2", eventTypes = new[] { "connection.active", "account.deleted" } }, "webhook_event_type_unknown"),
        ];
        foreach (var (body, code) in refused)
        {
            using var response = await client.Api.PostAsJsonAsync("/v1/webhook-endpoints", body);
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{JsonSerializer.Serialize(body)}: {(int)response.StatusCode} {text}");
            Assert.Equal(code, JsonDocument.Parse(text).RootElement.GetProperty("code").GetString());
        }

        using var garbage = await client.Api.PostAsync("/v1/webhook-endpoints", new StringContent("{\"url\": ", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, garbage.StatusCode);
        Assert.Equal(JsonValueKind.String, JsonDocument.Parse(await garbage.Content.ReadAsStringAsync()).RootElement.GetProperty("code").ValueKind);

        Assert.Empty((await client.Api.GetFromJsonAsync<JsonElement>("/v1/webhook-endpoints")).EnumerateArray());
        using var accepted = await client.Api.PostAsJsonAsync("/v1/webhook-endpoints", new { url = "https://hooks.example.com/psd2?tenant=4", eventTypes = new[] { "sync.completed" } });
        Assert.Equal(HttpStatusCode.Created, accepted.StatusCode);
        var created = await accepted.Content.ReadFromJsonAsync<JsonElement>();
        SeenSecrets.Add(SecretKind.WebhookSecret, created.GetProperty("secret").GetString());
        Assert.Equal(["sync.completed"], created.GetProperty("eventTypes").EnumerateArray().Select(t => t.GetString()));
    }

    /// <summary>No secret, token or full IBAN in what a client app's server receives.</summary>
    private static void AssertHoldsNoSecret(ReceivedWebhook received, TestPsu psu, StoredTokens tokens)
    {
        var body = Encoding.UTF8.GetString(received.Body);
        Assert.DoesNotContain(tokens.AccessToken, body, StringComparison.Ordinal);
        Assert.DoesNotContain(tokens.RefreshToken, body, StringComparison.Ordinal);
        Assert.All(psu.Ibans, iban => Assert.DoesNotContain(iban, body, StringComparison.Ordinal));
        Assert.DoesNotContain(psu.PersonalNumber, body, StringComparison.Ordinal);
    }

    private static readonly string WebhookSecretOfAnotherEndpoint = Psd2.Core.Webhooks.WebhookSignature.NewSecret();

    internal static async Task<(Guid Id, string Secret)> CreateEndpointAsync(ApiTestClient client, string url, string[]? eventTypes = null)
    {
        using var response = await client.Api.PostAsJsonAsync("/v1/webhook-endpoints", new { url, eventTypes, description = "test receiver" });
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"{(int)response.StatusCode}: {text}");
        var created = JsonDocument.Parse(text).RootElement;
        var secret = created.GetProperty("secret").GetString()!;
        SeenSecrets.Add(SecretKind.WebhookSecret, secret);
        return (created.GetProperty("id").GetGuid(), secret);
    }

    private static async Task<List<JsonElement>> DeliveriesAsync(ApiTestClient client, Guid endpointId, string? status = null) =>
        (await client.Api.GetFromJsonAsync<JsonElement>($"/v1/webhook-endpoints/{endpointId}/deliveries" + (status is null ? "" : $"?status={status}")))
            .EnumerateArray().ToList();

    private static async Task<JsonElement> WaitForDeliveryAsync(
        ApiTestClient client, Guid endpointId, Func<JsonElement, bool> match, string what, int seconds = 60, string? status = null)
    {
        var deliveries = await Eventually.Holds(_ => DeliveriesAsync(client, endpointId, status), d => d.Any(match), Eventually.Seconds(seconds), $"a delivery {what}");
        return deliveries.First(match);
    }

    private static async Task<List<JsonElement>> WaitForDeliveriesAsync(ApiTestClient client, Guid endpointId, Func<List<JsonElement>, bool> match, int seconds = 60)
    {
        return await Eventually.Holds(_ => DeliveriesAsync(client, endpointId), match, Eventually.Seconds(seconds), "the deliveries to get there");
    }

    public void Dispose() => _bank.Dispose();
}
