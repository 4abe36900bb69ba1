using Hangfire;
using System.Diagnostics;
using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using Psd2.Core.Security;
using Psd2.Core.Webhooks;
using Psd2.Worker.Scheduling;

namespace Psd2.Worker.Webhooks;

/// <summary>
/// Delivers webhooks, as a recurring job: each round fans new outbox events out to deliveries, claims the due ones and POSTs
/// them, signed, a few at a time; rounds go on while they find a full batch. A 2xx is delivered, anything else is tried again
/// with exponential backoff and jitter until the retry window (<see cref="WebhookOptions.MaxAge"/>) is spent, then the delivery
/// is dead (a dead letter the api shows and can redeliver). Replicas' runs may overlap: claims never do.
/// </summary>
[AutomaticRetry(Attempts = 0)] // the next firing is the retry
public sealed class WebhookDeliveryJob(
    WebhookOutbox outbox, WebhookSender sender, TokenProtector protector, IOptions<WebhookOptions> options, TimeProvider time,
    ILogger<WebhookDeliveryJob> logger) : IRecurringWorkerJob
{
    public const string Name = "webhook-delivery";
    private static readonly ActivitySource Activity = new("Psd2.Worker");
    private const int FanOutBatch = 200;
    private readonly WebhookOptions _options = options.Value;

    /// <summary>Long enough for a whole batch of sends, so another replica never takes a delivery this one is sending.</summary>
    private TimeSpan Lease => _options.RequestTimeout * 2 + TimeSpan.FromSeconds(30);

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        while (await RunRoundAsync(cancellationToken) && !cancellationToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>One round; true when it found as much work as it takes at once.</summary>
    private async Task<bool> RunRoundAsync(CancellationToken cancellationToken)
    {
        var fannedOut = await outbox.FanOutAsync(FanOutBatch, cancellationToken);
        var batch = _options.Concurrency * 2;
        var claimed = await outbox.ClaimDueAsync(batch, Lease, cancellationToken);
        // Stopping starts no more sends, but lets those under way finish and be recorded (each within the request
        // timeout): a send cut off after the receiver took it would be sent again once its lease ran out.
        await Parallel.ForEachAsync(claimed, new ParallelOptions { MaxDegreeOfParallelism = _options.Concurrency, CancellationToken = cancellationToken },
            async (delivery, _) =>
            {
                try
                {
                    await DeliverAsync(delivery, CancellationToken.None);
                }
                catch (Exception e)
                {
                    // One delivery's trouble (its secret unreadable, the database briefly gone) must not stop the others;
                    // its lease runs out and it is tried again.
                    logger.LogError(e, "Webhook delivery {DeliveryId} could not be attempted; it is tried again after its lease", delivery.Id);
                }
            });
        return fannedOut == FanOutBatch || claimed.Count == batch;
    }

    private async Task DeliverAsync(ClaimedDelivery delivery, CancellationToken cancellationToken)
    {
        using var activity = Activity.StartActivity("webhook deliver", ActivityKind.Producer);
        activity?.SetTag("psd2.webhook.delivery_id", delivery.Id);
        activity?.SetTag("psd2.webhook.event_type", delivery.EventType);
        var attemptedAt = time.GetUtcNow();
        var body = WebhookPayload.Body(delivery);
        var timestamp = WebhookSignature.Timestamp(attemptedAt);
        var headers = new Dictionary<string, string>
        {
            [WebhookSignature.EventIdHeader] = delivery.EventId.ToString(),
            [WebhookSignature.EventTypeHeader] = delivery.EventType,
            [WebhookSignature.TimestampHeader] = timestamp,
            [WebhookSignature.SignatureHeader] = WebhookSignature.Header(Secrets(delivery, attemptedAt), timestamp, body),
            [WebhookSignature.DeliveryIdHeader] = delivery.Id.ToString(),
        };
        var result = await sender.SendAsync(new Uri(delivery.Url), body, headers, cancellationToken);
        var failures = delivery.Attempts + 1;
        var (status, next) = result.Delivered
            ? (WebhookDeliveryStatus.Delivered, (DateTimeOffset?)null)
            : WebhookBackoff.NextAttempt(failures, delivery.ScheduledAt, time.GetUtcNow(), _options, Random.Shared.NextDouble()) is { } retryAt
                ? (WebhookDeliveryStatus.Pending, retryAt)
                : (WebhookDeliveryStatus.Dead, null);
        activity?.SetTag("http.response.status_code", result.StatusCode);
        activity?.SetTag("psd2.webhook.outcome", status);

        // The outcome is written even when the worker is stopping: the POST happened, and the delivery must not be sent twice.
        if (!await outbox.RecordAsync(delivery, result, attemptedAt, status, next, CancellationToken.None))
        {
            logger.LogInformation("Webhook delivery {DeliveryId} was deleted or taken over while it was sent; its outcome is not recorded", delivery.Id);
        }
        else if (status == WebhookDeliveryStatus.Dead)
        {
            logger.LogWarning("Webhook delivery {DeliveryId} of event {EventId} to endpoint {EndpointId} is dead after {Attempts} attempts (last: {StatusCode} {Error})",
                delivery.Id, delivery.EventId, delivery.EndpointId, failures, result.StatusCode, result.Error);
        }
        else if (status == WebhookDeliveryStatus.Pending)
        {
            logger.LogInformation("Webhook delivery {DeliveryId} to endpoint {EndpointId} failed ({StatusCode} {Error}); attempt {Attempts}, next at {NextAttemptAt}",
                delivery.Id, delivery.EndpointId, result.StatusCode, result.Error, failures, next);
        }
    }

    /// <summary>The secrets that sign now: the current one, and the previous one until it expires after a rotation.</summary>
    private IEnumerable<string> Secrets(ClaimedDelivery delivery, DateTimeOffset now)
    {
        yield return protector.Unprotect(delivery.SecretCipher, delivery.EndpointId);
        if (delivery.PreviousSecretCipher is { } previous && delivery.PreviousSecretExpiresAt > now)
        {
            string? secret;
            try
            {
                secret = protector.Unprotect(previous, delivery.EndpointId);
            }
            catch (CryptographicException)
            {
                secret = null;
            }

            if (secret is not null)
            {
                yield return secret;
            }
        }
    }
}
