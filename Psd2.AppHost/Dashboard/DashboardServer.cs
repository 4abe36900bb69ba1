using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Psd2.AppHost.Hosting;
using Psd2.AppHost.Otlp;
using Psd2.AppHost.Telemetry;

namespace Psd2.AppHost.Dashboard;

/// <summary>
/// The dashboard: resources with state, health and endpoints, console logs per resource, restart and stop; the
/// services' structured logs, traces and metrics, received over OTLP/HTTP. Bound to 127.0.0.1 and behind a login
/// token printed at start, as Aspire's dashboard is. The OTLP receiver listens on a port of its own (also loopback
/// only) that serves nothing else and asks for no token: exporters cannot log in.
/// </summary>
internal sealed class DashboardServer : IAsyncDisposable
{
    private const string CookieName = "psd2_dashboard";
    private readonly WebApplication _web;

    private DashboardServer(WebApplication web, Uri url)
    {
        _web = web;
        Url = url;
    }

    public Uri Url { get; }

    public static async Task<DashboardServer> StartAsync(DistributedApplication app, int port, int otlpPort, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Loopback, port);
            kestrel.Listen(IPAddress.Loopback, otlpPort);
        });
        var web = builder.Build();
        var receiver = new OtlpReceiver(app.Telemetry);
        var peers = new PeerNames(app.Resources);

        // The OTLP port answers OTLP and nothing else, before the login check: pages are never served there.
        web.Use(async (context, next) =>
        {
            if (context.Connection.LocalPort == otlpPort)
            {
                await receiver.HandleAsync(context);
                return;
            }

            await next(context);
        });

        web.Use(async (context, next) =>
        {
            if (context.Request.Path == "/login" || IsAuthorized(context, app.DashboardToken))
            {
                await next(context);
                return;
            }

            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            await context.Response.WriteAsync("Open the login link the AppHost printed (also in resources.json).", context.RequestAborted);
        });

        web.MapGet("/login", (HttpContext context, string? t) =>
        {
            if (t is null || !TokenEquals(t, app.DashboardToken))
            {
                return Results.Unauthorized();
            }

            context.Response.Cookies.Append(CookieName, t, new CookieOptions { HttpOnly = true, SameSite = SameSiteMode.Strict });
            return Results.Redirect("/");
        });
        web.MapGet("/", () => Html(Pages.Resources()));
        web.MapGet("/resources/{name}/logs", (string name) =>
            app.Resources.Any(r => r.Name == name) ? Results.Content(Pages.ConsoleLogs(name), "text/html; charset=utf-8") : Results.NotFound());
        web.MapGet("/api/resources", () => Results.Json(ResourcesFile.Snapshot(app).Resources, DashboardJson.Options));
        web.MapGet("/api/resources/{name}/logs", (string name, long? after) =>
            Find(app, name) is { } resource ? Results.Json(resource.Log.Since(after ?? 0), DashboardJson.Options) : Results.NotFound());
        MapTelemetry(web, app.Telemetry, peers);
        web.MapPost("/api/resources/{name}/restart", (string name) => Command(app, name, () => app.RestartAsync(name)));
        web.MapPost("/api/resources/{name}/stop", (string name) => Command(app, name, () => app.StopResourceAsync(name)));
        web.MapPost("/api/resources/{name}/start", (string name) => Command(app, name, () =>
        {
            app.StartResource(name);
            return Task.CompletedTask;
        }));

        await web.StartAsync(cancellationToken);
        var address = web.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses
            .First(a => new Uri(a).Port != otlpPort);
        return new DashboardServer(web, new Uri(address.Replace("0.0.0.0", "127.0.0.1", StringComparison.Ordinal) + "/"));
    }

    public async ValueTask DisposeAsync()
    {
        await _web.StopAsync();
        await _web.DisposeAsync();
    }

    private static void MapTelemetry(WebApplication web, TelemetryStore store, PeerNames peers)
    {
        web.MapGet("/structured-logs", (string? resource, string? level, string? text, string? traceId, string? live) =>
            Html(StructuredLogsPage.Render(store, LogFilterOf(resource, level, text, traceId), live == "1")));
        web.MapGet("/api/logs", (string? resource, string? level, string? text, string? traceId, int? limit) =>
            Results.Json(store.Logs(LogFilterOf(resource, level, text, traceId), Math.Clamp(limit ?? 500, 1, 10_000)).Select(TelemetryJson.Log), DashboardJson.Options));

        // minMs is read as text: the filter form sends it empty when no minimum is set.
        web.MapGet("/traces", (string? resource, string? text, string? errors, string? minMs) =>
            Html(TracesPage.Render(store, TraceFilterOf(resource, text, errors, minMs), peers)));
        web.MapGet("/api/traces", (string? resource, string? text, string? errors, string? minMs, int? limit) =>
            Results.Json(store.Traces(TraceFilterOf(resource, text, errors, minMs), Math.Clamp(limit ?? 200, 1, 10_000)).Select(TelemetryJson.Summary), DashboardJson.Options));
        web.MapGet("/traces/{traceId}", (string traceId) => store.Trace(traceId) is { } trace
            ? Html(TraceDetailPage.Render(trace, TraceLogs(store, traceId), peers))
            : Results.NotFound());
        web.MapGet("/api/traces/{traceId}", (string traceId) => store.Trace(traceId) is { } trace
            ? Results.Json(TelemetryJson.Trace(trace, TraceLogs(store, traceId), peers), DashboardJson.Options)
            : Results.NotFound());

        web.MapGet("/metrics", (string? resource) => Html(MetricsPage.Render(store, resource)));
        web.MapGet("/api/metrics", (string resource) => store.Resource(resource) is { } telemetry
            ? Results.Json(MetricsPage.Instruments(telemetry.Metrics.Snapshot()).Select(TelemetryJson.Instrument), DashboardJson.Options)
            : Results.NotFound());
    }

    private static IResult Html(string html) => Results.Content(html, "text/html; charset=utf-8");

    private static IReadOnlyList<StoredLogRecord> TraceLogs(TelemetryStore store, string traceId) =>
        store.Logs(new LogFilter(TraceId: traceId), StructuredLogsPage.Shown).Reverse().ToList();

    private static LogFilter LogFilterOf(string? resource, string? level, string? text, string? traceId) =>
        new(resource, Enum.TryParse<LogLevelName>(level, ignoreCase: true, out var min) ? min : null, text, traceId);

    private static TraceFilter TraceFilterOf(string? resource, string? text, string? errors, string? minMs) =>
        new(resource, text, errors == "1",
            double.TryParse(minMs, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var ms) && ms > 0 ? TimeSpan.FromMilliseconds(ms) : null);

    private static Resource? Find(DistributedApplication app, string name) => app.Resources.FirstOrDefault(r => r.Name == name);

    private static IResult Command(DistributedApplication app, string name, Func<Task> action)
    {
        if (Find(app, name) is null)
        {
            return Results.NotFound();
        }

        // Commands run in the background: a stop may take the whole grace period.
        _ = Task.Run(action);
        return Results.Accepted();
    }

    private static bool IsAuthorized(HttpContext context, string token)
    {
        if (context.Request.Cookies.TryGetValue(CookieName, out var cookie) && TokenEquals(cookie, token))
        {
            return true;
        }

        var header = context.Request.Headers.Authorization.ToString();
        return header.StartsWith("Bearer ", StringComparison.Ordinal) && TokenEquals(header["Bearer ".Length..], token);
    }

    private static bool TokenEquals(string candidate, string token) =>
        CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(candidate), Encoding.UTF8.GetBytes(token));
}
