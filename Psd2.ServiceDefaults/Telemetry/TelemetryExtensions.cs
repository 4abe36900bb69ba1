using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Psd2.ServiceDefaults.Telemetry;

/// <summary>
/// Traces, metrics and logs over OTLP when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set. The instrumentation
/// packages do not restore here, so the SDK subscribes to the sources the framework emits natively.
/// </summary>
public static class TelemetryExtensions
{
    /// <summary>
    /// Sources the framework and libraries emit on their own; Quartz 4 (the worker's scheduler) names its source and
    /// meter <c>Quartz</c> (<c>QuartzInstrumentation.ActivitySourceName</c>), so each job run is a trace.
    /// </summary>
    public static readonly string[] FrameworkSources = ["Microsoft.AspNetCore", "System.Net.Http", "Npgsql", "Quartz"];

    /// <summary>The service's own ActivitySource and Meter name, e.g. <c>Psd2.Api</c>.</summary>
    public static string ServiceSourceName(IHostApplicationBuilder builder) => builder.Environment.ApplicationName;

    public static void ConfigureOpenTelemetry(this IHostApplicationBuilder builder)
    {
        builder.Logging.AddSimpleConsole(console =>
        {
            // One line per entry keeps the AppHost's prefixed console readable; scopes carry the request id.
            console.SingleLine = true;
            console.IncludeScopes = true;
            console.TimestampFormat = "HH:mm:ss.fff ";
            console.UseUtcTimestamp = true;
        });

        var endpoint = builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"];
        if (string.IsNullOrWhiteSpace(endpoint))
        {
            return;
        }

        var ownSource = ServiceSourceName(builder);
        var resource = ResourceBuilder.CreateDefault().AddService(
            serviceName: builder.Configuration["OTEL_SERVICE_NAME"] ?? ownSource,
            serviceInstanceId: $"{Environment.MachineName}:{Environment.ProcessId}");

        builder.Logging.AddOpenTelemetry(logging =>
        {
            logging.SetResourceBuilder(resource);
            logging.IncludeFormattedMessage = true;
            logging.IncludeScopes = true;
            logging.AddOtlpExporter();
        });

        builder.Services.AddSingleton(_ => Sdk.CreateTracerProviderBuilder()
            .SetResourceBuilder(resource)
            .SetSampler(BackgroundNoiseFilter.Sampler)
            .AddSource(FrameworkSources)
            .AddSource(ownSource)
            .AddProcessor(new SecretRedactionProcessor())
            .AddProcessor(new BackgroundNoiseFilter.OrphanDatabaseSpans())
            .AddOtlpExporter()
            .Build());
        builder.Services.AddSingleton(_ => Sdk.CreateMeterProviderBuilder()
            .SetResourceBuilder(resource)
            .AddMeter("Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel", "System.Net.Http", "Npgsql", "Quartz", ownSource)
            .AddOtlpExporter()
            .Build());
        // The providers start listening when created and flush when the container disposes them.
        builder.Services.AddHostedService<TelemetryStarter>();
    }

    private sealed class TelemetryStarter(TracerProvider tracing, MeterProvider metrics) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            _ = (tracing, metrics);
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
