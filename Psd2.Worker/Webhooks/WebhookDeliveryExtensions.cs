using Psd2.Core.Jobs;
using Psd2.Core.Security;
using Psd2.Core.Webhooks;
using Psd2.Worker.Scheduling;

namespace Psd2.Worker.Webhooks;

public static class WebhookDeliveryExtensions
{
    /// <summary>
    /// Webhook delivery: events in the platform_events outbox fanned out to the matching endpoints and POSTed, signed, with
    /// retries; the schedule comes from <c>Webhooks:*</c>, the secrets' encryption from <c>Tokens:EncryptionKey</c>.
    /// </summary>
    public static void AddWebhookDelivery(this WebApplicationBuilder builder)
    {
        builder.Services.AddWebhookOptions(builder.Environment);
        builder.Services.AddTokenProtection();
        builder.Services.AddSingleton<WebhookSender>();
        builder.Services.AddSingleton<WebhookOutbox>();
        builder.AddRecurringJob<WebhookDeliveryJob>(WebhookDeliveryJob.Name, o => o.WebhookInterval, JobQueues.Webhooks);
    }
}
