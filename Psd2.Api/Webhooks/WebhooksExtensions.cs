using Psd2.Core.Webhooks;

namespace Psd2.Api.Webhooks;

public static class WebhooksExtensions
{
    /// <summary>The webhook options, validated at start: the api checks registered URLs with them.</summary>
    public static void AddWebhooks(this WebApplicationBuilder builder) => builder.Services.AddWebhookOptions(builder.Environment);
}
