using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using OpenTelemetry;

namespace Psd2.ServiceDefaults.Telemetry;

/// <summary>
/// Keeps polling out of the traces. A database call outside any request or job (Hangfire's queue and schedule polling,
/// server heartbeats and lock upkeep), or the AppHost's health probe of every service,
/// would be a trace of its own every second or faster, and the dashboard keeps a bounded number of spans per resource:
/// within minutes the traces that matter would be gone. What happens inside a request or a job keeps all of its spans.
/// Metrics still count every probe.
/// </summary>
public static class BackgroundNoiseFilter
{
    /// <summary>The probes' paths (<see cref="Health.HealthEndpoints"/>), untraced as Aspire's service defaults leave them.</summary>
    private static readonly PathString[] Probes = ["/health", "/alive"];

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
    /// anything begun under it (its database and Redis checks): the SDK's default sampler follows the parent.
    /// </summary>
    public static bool IsProbe(PathString path) =>
        Array.Exists(Probes, probe => path.Equals(probe, StringComparison.OrdinalIgnoreCase));
}
