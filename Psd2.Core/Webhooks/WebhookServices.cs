using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Psd2.Core.Webhooks;

public static class WebhookServices
{
    /// <summary>
    /// <see cref="WebhookOptions"/> bound from <c>Webhooks</c> and validated at start, for the api (URL checks) and the worker
    /// (delivery); loopback http is refused outside the Development and Testing environments.
    /// </summary>
    public static IServiceCollection AddWebhookOptions(this IServiceCollection services, IHostEnvironment environment)
    {
        services.AddOptions<WebhookOptions>().BindConfiguration(WebhookOptions.Section)
            .ValidateDataAnnotations()
            .Validate(o => !o.AllowLoopbackHttp || environment.IsDevelopment() || environment.IsEnvironment("Testing"),
                "Webhooks:AllowLoopbackHttp is for the test harness: it is refused outside the Development and Testing environments.")
            .ValidateOnStart();
        return services;
    }
}
