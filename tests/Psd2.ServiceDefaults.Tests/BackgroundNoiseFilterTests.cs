using System.Diagnostics;
using OpenTelemetry;
using OpenTelemetry.Trace;
using Psd2.ServiceDefaults.Telemetry;

namespace Psd2.ServiceDefaults.Tests;

/// <summary>The filter as the services configure it: processor in a real TracerProvider, before an exporter.</summary>
public sealed class BackgroundNoiseFilterTests : IDisposable
{
    private readonly ActivitySource _npgsql = new("Npgsql");
    private readonly ActivitySource _jobs = new("Psd2.Jobs");
    private readonly ActivitySource _service = new("Psd2.Tests.Service");
    private readonly List<string> _exported = [];
    private readonly TracerProvider _provider;

    public BackgroundNoiseFilterTests() =>
        _provider = Sdk.CreateTracerProviderBuilder()
            .AddSource("Npgsql", "Psd2.Jobs", "Psd2.Tests.Service")
            .AddProcessor(new BackgroundNoiseFilter.OrphanDatabaseSpans())
            .AddProcessor(new SimpleActivityExportProcessor(new Collecting(_exported)))
            .Build()!;

    [Fact]
    public void A_database_call_outside_any_trace_is_not_exported()
    {
        Run(_npgsql, "SELECT claim");

        Assert.Empty(_exported);
    }

    [Fact]
    public void A_database_call_inside_a_request_or_a_job_is_exported_with_it()
    {
        using (_service.StartActivity("GET /v1/accounts/{accountId}"))
        {
            Run(_npgsql, "SELECT account");
        }

        using (_jobs.StartActivity("job RefreshDispatcher.RunAsync"))
        {
            Run(_npgsql, "UPDATE connections");
        }

        Assert.Equal(["SELECT account", "GET /v1/accounts/{accountId}", "UPDATE connections", "job RefreshDispatcher.RunAsync"], _exported);
    }

    [Fact]
    public void Other_root_spans_are_kept()
    {
        Run(_service, "webhook delivery");

        Assert.Equal(["webhook delivery"], _exported);
    }

    public void Dispose()
    {
        _provider.Dispose();
        _npgsql.Dispose();
        _jobs.Dispose();
        _service.Dispose();
    }

    private static void Run(ActivitySource source, string name)
    {
        using var activity = source.StartActivity(name, ActivityKind.Client);
    }

    private sealed class Collecting(List<string> names) : BaseExporter<Activity>
    {
        public override ExportResult Export(in Batch<Activity> batch)
        {
            foreach (var activity in batch)
            {
                names.Add(activity.DisplayName);
            }

            return ExportResult.Success;
        }
    }
}
