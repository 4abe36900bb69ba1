using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Psd2.ServiceDefaults.Health;
using Psd2.ServiceDefaults.Problems;
using Psd2.ServiceDefaults.RequestIds;
using Psd2.ServiceDefaults.Resilience;
using Psd2.ServiceDefaults.ServiceDiscovery;
using Psd2.ServiceDefaults.Telemetry;
using Psd2.ServiceDefaults.Time;

namespace Psd2.ServiceDefaults;

/// <summary>
/// What every service shares: telemetry, health, service discovery, HTTP resilience, request ids and
/// ProblemDetails. Configuration follows Aspire's conventions so the services run the same under the
/// AppHost, the test harness, or with the variables set by hand.
/// </summary>
public static class Extensions
{
    /// <summary>Basic defaults plus service discovery and the standard resilience pipeline on every HttpClient.</summary>
    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.AddBasicServiceDefaults();
        builder.Services.AddServiceDiscovery();
        builder.Services.ConfigureHttpClientDefaults(http =>
        {
            // Resilience outermost, discovery inside it: each attempt resolves the address again.
            http.AddStandardResilienceHandler();
            http.AddServiceDiscovery();
        });
        return builder;
    }

    /// <summary>Telemetry, health checks, request ids and ProblemDetails, without the outgoing-HTTP parts.</summary>
    public static TBuilder AddBasicServiceDefaults<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.ConfigureOpenTelemetry();
        builder.AddDefaultHealthChecks();
        builder.Services.AddDefaultProblemDetails();
        // The test clock, when the test harness asks for it (Testing only), is the TimeProvider every service uses.
        builder.AddTestClockIfEnabled();
        builder.Services.TryAddSingleton(TimeProvider.System);
        return builder;
    }

    /// <summary>Middleware every service runs first: health probes left untraced, the request span's name and HTTP attributes, request ids, then errors as ProblemDetails.</summary>
    public static WebApplication UseServiceDefaults(this WebApplication app)
    {
        app.UseUntracedProbes();
        app.UseHttpServerSpanTags();
        app.UseRequestIds();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        return app;
    }

    /// <summary>Maps <c>/health</c> (ready: every check), <c>/alive</c> (live: the process answers) and <c>/info</c>.</summary>
    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        app.MapHealthEndpoints();
        app.MapGet("/info", (ServiceInfo info) => TypedResults.Ok(info.Snapshot()))
            .WithName("ServiceInfo")
            .ExcludeFromDescription();
        return app;
    }
}
