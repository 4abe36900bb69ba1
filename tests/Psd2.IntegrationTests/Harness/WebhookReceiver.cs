using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Psd2.Core.Webhooks;

namespace Psd2.IntegrationTests.Harness;

/// <summary>One POST the receiver got: the headers a receiver checks, the raw body, and what it answered.</summary>
internal sealed record ReceivedWebhook(
    string? EventId, string? EventType, string? Timestamp, string? Signature, string? DeliveryId, byte[] Body, int AnsweredWith)
{
    public JsonElement Json => JsonDocument.Parse(Body).RootElement;

    public override string ToString() => $"{EventType} {AnsweredWith}";

    public JsonElement Data => Json.GetProperty("data");

    public bool Accepted => AnsweredWith is >= 200 and < 300;

    public bool Verifies(string secret) => Verifies(secret, DateTimeOffset.UtcNow);

    /// <param name="now">The receiver's clock: the test clock's time where the platform runs on it.</param>
    public bool Verifies(string secret, DateTimeOffset now) => WebhookSignature.Verify(secret, Signature, Timestamp, Body, now);
}

/// <summary>
/// A client app's webhook server, as a small Kestrel app on 127.0.0.1 and a random port: it records every POST and answers
/// with <see cref="AnswerWith"/>; <see cref="GoDownAsync"/> stops it (connections refused) and <see cref="ComeBackAsync"/>
/// starts it again on the same port.
/// </summary>
internal sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly ConcurrentQueue<ReceivedWebhook> _received = new();
    private WebApplication? _server;

    private WebhookReceiver()
    {
    }

    /// <summary>The status code answered from now on (200 by default).</summary>
    public int AnswerWith { get; set; } = 200;

    /// <summary>How long the receiver takes before it answers: a slow server keeps deliveries in flight longer.</summary>
    public TimeSpan AnswerAfter { get; set; } = TimeSpan.Zero;

    public int Port { get; private set; }

    public string Url => $"http://127.0.0.1:{Port}/hooks";

    public IReadOnlyList<ReceivedWebhook> Received => [.. _received];

    public static async Task<WebhookReceiver> StartAsync()
    {
        var receiver = new WebhookReceiver();
        await receiver.ListenAsync(0);
        return receiver;
    }

    public async Task GoDownAsync()
    {
        if (_server is { } server)
        {
            _server = null;
            await server.StopAsync();
            await server.DisposeAsync();
        }
    }

    public Task ComeBackAsync() => ListenAsync(Port);

    /// <summary>Waits until the receiver has got a POST that matches; fails the test at the deadline.</summary>
    public async Task<ReceivedWebhook> WaitForAsync(Func<ReceivedWebhook, bool> match, string what, int seconds = 60)
    {
        var received = await Eventually.Holds(_ => Task.FromResult(Received), all => all.Any(match), Eventually.Seconds(seconds),
            $"a webhook {what}", every: TimeSpan.FromMilliseconds(100));
        return received.First(match);
    }

    /// <summary>Waits for an accepted delivery of an event type about one connection.</summary>
    public Task<ReceivedWebhook> WaitForEventAsync(string type, Guid connectionId, int seconds = 60) =>
        WaitForAsync(r => r.Accepted && r.EventType == type && r.Json.GetProperty("connectionId").GetString() == connectionId.ToString(),
            $"{type} for connection {connectionId}", seconds);

    private async Task ListenAsync(int port)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, port));
        var server = builder.Build();
        server.MapPost("/hooks", async (HttpContext context) =>
        {
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body);
            var headers = context.Request.Headers;
            var status = AnswerWith;
            if (AnswerAfter > TimeSpan.Zero)
            {
                await Task.Delay(AnswerAfter, context.RequestAborted);
            }

            _received.Enqueue(new ReceivedWebhook(
                headers[WebhookSignature.EventIdHeader], headers[WebhookSignature.EventTypeHeader], headers[WebhookSignature.TimestampHeader],
                headers[WebhookSignature.SignatureHeader], headers[WebhookSignature.DeliveryIdHeader], body.ToArray(), status));
            return Results.StatusCode(status);
        });
        await server.StartAsync();
        Port = new Uri(server.Urls.First()).Port;
        _server = server;
    }

    public ValueTask DisposeAsync() => new(GoDownAsync());
}
