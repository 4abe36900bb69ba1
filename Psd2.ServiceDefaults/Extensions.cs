using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Psd2.ServiceDefaults.Health;
using Psd2.ServiceDefaults.Http;
using Psd2.ServiceDefaults.Problems;
using Psd2.ServiceDefaults.RequestIds;
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
    /// <summary>
    /// Sources the services trace besides the instrumentation packages and the Aspire client integrations: each
    /// background job run (Hangfire, <c>Psd2.Core.Jobs.JobTracing</c>) is a span of this source.
    /// </summary>
    private const string JobsSource = "Psd2.Jobs";

    /// <summary>Basic defaults plus service discovery and the standard resilience pipeline on every HttpClient.</summary>
    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.AddBasicServiceDefaults();
        builder.Services.AddServiceDiscovery();
        builder.Services.ConfigureHttpClientDefaults(http =>
        {
            // Resilience outermost, discovery inside it: each attempt resolves the address again.
            http.AddStandardResilienceHandler()
                .Configure((options, services) => HttpResilienceDefaults.Apply(options, services.GetService<TimeProvider>() ?? TimeProvider.System))
                // One circuit breaker per bank or service rather than one for every client of the process.
                .SelectPipelineByAuthority();
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

    /// <summary>
    /// Console logs on one line each, and traces, metrics and logs over OTLP when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set.
    /// Npgsql and Redis spans and metrics come from the Aspire client integrations.
    /// </summary>
    public static TBuilder ConfigureOpenTelemetry<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Logging.AddSimpleConsole(console =>
        {
            // One line per entry keeps the AppHost's prefixed console readable; scopes carry the request id.
            console.SingleLine = true;
            console.IncludeScopes = true;
            console.TimestampFormat = "HH:mm:ss.fff ";
            console.UseUtcTimestamp = true;
        });
        // Aspire's clients log every Npgsql command (with its SQL) and each step of a Redis handshake at Information;
        // the traces carry the commands already. A setting for a narrower category (Logging:LogLevel:Npgsql.Command)
        // still takes precedence.
        builder.Logging.AddFilter("Npgsql", LogLevel.Warning);
        builder.Logging.AddFilter("StackExchange.Redis", LogLevel.Warning);
        // ASP.NET's request scope carries the raw path, which can hold a secret (a Connect link's token): switched off
        // with its category, which logs nothing else a service needs. The request id scope (UseRequestIds) replaces it.
        builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.None);
        builder.Logging.AddOpenTelemetry(logging =>
        {
            logging.IncludeFormattedMessage = true;
            logging.IncludeScopes = true;
        });

        // The service's own ActivitySource and Meter, e.g. Psd2.Api.
        var ownSource = builder.Environment.ApplicationName;
        builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource =>
            {
                // The AppHost sets OTEL_SERVICE_NAME and the instance id; a service started by hand names itself.
                if (string.IsNullOrWhiteSpace(builder.Configuration["OTEL_SERVICE_NAME"]))
                {
                    resource.AddService(ownSource, serviceInstanceId: $"{Environment.MachineName}:{Environment.ProcessId}");
                }
            })
            .WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                .AddMeter(ownSource))
            .WithTracing(tracing => tracing
                // The probes run every few seconds; untraced, as are the checks they run (the sampler follows the parent).
                .AddAspNetCoreInstrumentation(aspNetCore => aspNetCore.Filter = context => !BackgroundNoiseFilter.IsProbe(context.Request.Path))
                .AddHttpClientInstrumentation()
                .AddSource(JobsSource, ownSource)
                // Before the exporter, which is added last: these decide what it sees.
                .AddProcessor(new SecretRedactionProcessor())
                .AddProcessor(new BackgroundNoiseFilter.OrphanDatabaseSpans()));

        if (!string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            builder.Services.AddOpenTelemetry().UseOtlpExporter();
        }

        return builder;
    }

    /// <summary>Middleware every service runs first: request ids, then errors as ProblemDetails.</summary>
    public static WebApplication UseServiceDefaults(this WebApplication app)
    {
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
