using System.Net;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Npgsql;
using Psd2.Core.Events;
using Psd2.Core.Persistence;
using Psd2.Core.Security;
using Psd2.Core.Webhooks;
using Psd2.IntegrationTests.Harness;
using Psd2.Worker.Webhooks;

namespace Psd2.IntegrationTests.Webhooks;

/// <summary>Several delivery replicas on one outbox: every event reaches the receiver exactly once.</summary>
[Collection(AppCollection.Name)]
public sealed class WebhookReplicaTests(AppFixture fixture)
{
    private const int Events = 60;

    [Fact]
    public async Task ThreeReplicasDeliverEveryEventExactlyOnce()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.AnswerAfter = TimeSpan.FromMilliseconds(30);
        using var client = await ApiTestClient.CreateAsync(fixture.App);
        using (var created = await client.Api.PostAsJsonAsync("/v1/webhook-endpoints", new { url = receiver.Url }))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            SeenSecrets.Add(SecretKind.WebhookSecret, (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("secret").GetString());
        }

        // Two replicas in this process beside the app's own worker, each running delivery rounds back to back.
        await using var first = Replica();
        await using var second = Replica();
        using var stop = new CancellationTokenSource();
        await using (var db = first.GetRequiredService<Psd2DbContext>())
        {
            var clientAppId = await db.Users.Where(u => u.Id == client.UserId).Select(u => u.ClientAppId).SingleAsync();
            for (var i = 0; i < Events; i++)
            {
                db.PlatformEvents.Add(PlatformEvent.Of(TimeProvider.System, WebhookEventTypes.SyncCompleted, clientAppId, client.UserId, null, new { sequence = i }));
            }

            await db.SaveChangesAsync();
        }

        var replicas = new[] { first, second }.Select(replica => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                await using var scope = replica.CreateAsyncScope();
                await scope.ServiceProvider.GetRequiredService<WebhookDeliveryJob>().RunAsync(CancellationToken.None);
                await Task.Delay(50, CancellationToken.None);
            }
        })).ToList();

        await receiver.WaitForAsync(_ => receiver.Received.Select(r => r.EventId).Distinct().Count() == Events, $"all {Events} events", seconds: 90);
        // The receiver notes a POST before it answers; the sender records the answer after.
        var deliveries = await Eventually.Holds(_ => DeliveriesAsync(client.UserId), all => all.All(d => d.Status != "pending"), Eventually.Seconds(30),
            "every delivery's answer recorded", every: TimeSpan.FromMilliseconds(100));

        await stop.CancelAsync();
        await Task.WhenAll(replicas);

        Assert.Equal(Events, deliveries.Count);
        Assert.All(deliveries, d => Assert.Equal(("delivered", 1), d));
        Assert.Equal(Events, receiver.Received.Count);
        Assert.Equal(Enumerable.Range(0, Events), receiver.Received.Select(r => r.Data.GetProperty("sequence").GetInt32()).Order());
    }

    private ServiceProvider Replica()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton(TimeProvider.System);
        services.AddDbContext<Psd2DbContext>(o => o.UseNpgsql(fixture.App.GetConnectionString("psd2db")), ServiceLifetime.Transient);
        services.AddSingleton(Options.Create(new WebhookOptions
        {
            AllowLoopbackHttp = true, BackoffBase = TimeSpan.FromMilliseconds(500),
            BackoffCap = TimeSpan.FromSeconds(2), MaxAge = TimeSpan.FromSeconds(20), RequestTimeout = TimeSpan.FromSeconds(3), Concurrency = 4,
        }));
        services.AddSingleton(Options.Create(new TokenProtectionOptions { EncryptionKey = fixture.App.TokenEncryptionKey }));
        services.AddSingleton<TokenProtector>();
        services.AddSingleton<WebhookSender>();
        services.AddSingleton<WebhookOutbox>();
        services.AddScoped<WebhookDeliveryJob>();
        return services.BuildServiceProvider();
    }

    private async Task<List<(string Status, int Attempts)>> DeliveriesAsync(Guid userId)
    {
        await using var db = new NpgsqlConnection(fixture.App.GetConnectionString("psd2db"));
        await db.OpenAsync();
        await using var command = new NpgsqlCommand("""
            SELECT d.status, d.attempts FROM webhook_deliveries d JOIN platform_events e ON e.id = d.event_id WHERE e.user_id = $1
            """, db) { Parameters = { new() { Value = userId } } };
        var rows = new List<(string, int)>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            rows.Add((reader.GetString(0), reader.GetInt32(1)));
        }

        return rows;
    }
}
