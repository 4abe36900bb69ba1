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

namespace Psd2.AppHost.Dashboard;

/// <summary>
/// The dashboard: resources with state, health and endpoints, console logs per resource, restart and stop.
/// Bound to 127.0.0.1 and behind a login token printed at start, as Aspire's dashboard is.
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

    public static async Task<DashboardServer> StartAsync(DistributedApplication app, int port, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, port));
        var web = builder.Build();

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
        web.MapGet("/", () => Results.Content(Pages.Resources(), "text/html; charset=utf-8"));
        web.MapGet("/resources/{name}/logs", (string name) =>
            app.Resources.Any(r => r.Name == name) ? Results.Content(Pages.ConsoleLogs(name), "text/html; charset=utf-8") : Results.NotFound());
        web.MapGet("/api/resources", () => Results.Json(ResourcesFile.Snapshot(app).Resources, DashboardJson.Options));
        web.MapGet("/api/resources/{name}/logs", (string name, long? after) =>
            Find(app, name) is { } resource ? Results.Json(resource.Log.Since(after ?? 0), DashboardJson.Options) : Results.NotFound());
        web.MapPost("/api/resources/{name}/restart", (string name) => Command(app, name, () => app.RestartAsync(name)));
        web.MapPost("/api/resources/{name}/stop", (string name) => Command(app, name, () => app.StopResourceAsync(name)));
        web.MapPost("/api/resources/{name}/start", (string name) => Command(app, name, () =>
        {
            app.StartResource(name);
            return Task.CompletedTask;
        }));

        await web.StartAsync(cancellationToken);
        var address = web.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new DashboardServer(web, new Uri(address.Replace("0.0.0.0", "127.0.0.1", StringComparison.Ordinal) + "/"));
    }

    public async ValueTask DisposeAsync()
    {
        await _web.StopAsync();
        await _web.DisposeAsync();
    }

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
