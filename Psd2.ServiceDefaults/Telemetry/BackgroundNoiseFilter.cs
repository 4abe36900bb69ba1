using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using OpenTelemetry;
using OpenTelemetry.Trace;

namespace Psd2.ServiceDefaults.Telemetry;

/// <summary>
/// Keeps polling out of the traces. A background loop's database call outside any request or job (a claim query that
/// finds nothing, Quartz's trigger acquisition and cluster check-in), or the AppHost's health probe of every service,
/// would be a trace of its own every second or faster, and the dashboard keeps a bounded number of spans per resource:
/// within minutes the traces that matter would be gone. What happens inside a request or a job keeps all of its spans.
/// Metrics still count every probe.
/// </summary>
public static class BackgroundNoiseFilter
{
    /// <summary>The probes' paths (<see cref="Health.HealthEndpoints"/>), untraced as Aspire's service defaults leave them.</summary>
    private static readonly PathString[] Probes = ["/health", "/alive"];

    /// <summary>Quartz's spans for its own bookkeeping in the job store (acquiring and firing triggers, check-ins).</summary>
    public const string JobStorePrefix = "Quartz.JobStore.";

    /// <summary>
    /// Decides when a span starts, so that the spans begun under a dropped root are dropped with it: a root span of
    /// the job store is not recorded; everything else follows its parent, as the SDK's default sampler does. One per
    /// tracer provider: the SDK stops using a sampler whose provider was disposed, so an instance must not be shared.
    /// </summary>
    public static Sampler CreateSampler() => new ParentBasedSampler(new RootSampler());

    private sealed class RootSampler : Sampler
    {
        public override SamplingResult ShouldSample(in SamplingParameters samplingParameters) =>
            new(samplingParameters.Name.StartsWith(JobStorePrefix, StringComparison.Ordinal) ? SamplingDecision.Drop : SamplingDecision.RecordAndSample);
    }

    /// <summary>
    /// A database span without a parent is not exported. This is decided when it ends, since a sampler is told a span's
    /// name but not its source; a database span has no children to leave behind.
    /// </summary>
    public sealed class OrphanDatabaseSpans : BaseProcessor<Activity>
    {
        public override void OnEnd(Activity data)
        {
            if (data.Source.Name == "Npgsql" && data.ParentSpanId == default)
            {
                data.ActivityTraceFlags &= ~ActivityTraceFlags.Recorded;
            }
        }
    }

    /// <summary>
    /// A health probe, whose request span is not recorded (the ASP.NET Core instrumentation's filter), and neither is
    /// anything begun under it (its database and Redis checks): the sampler (<see cref="CreateSampler"/>) follows the parent.
    /// </summary>
    public static bool IsProbe(PathString path) =>
        Array.Exists(Probes, probe => path.Equals(probe, StringComparison.OrdinalIgnoreCase));
}
