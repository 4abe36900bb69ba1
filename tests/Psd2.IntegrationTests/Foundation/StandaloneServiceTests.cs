using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Psd2.AppHost.Hosting;
using Psd2.IntegrationTests.Harness;

namespace Psd2.IntegrationTests.Foundation;

/// <summary>The services depend on Aspire-style variables only, not on the AppHost: Kubernetes can run them as they are.</summary>
[Collection(AppCollection.Name)]
public sealed class StandaloneServiceTests(AppFixture fixture)
{
    [Fact]
    public async Task ApiStartedByHandWithOnlyAspireVariablesIsHealthy()
    {
        var app = fixture.App;
        var port = FreePort();
        var output = Path.Combine(BuildInfo.RepositoryRoot, "Psd2.Api", "bin", BuildInfo.Configuration, "net10.0");
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { Path.Combine(output, "Psd2.Api.dll") },
            WorkingDirectory = output,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment =
            {
                ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}",
                ["ASPNETCORE_ENVIRONMENT"] = "Production",
                ["OTEL_SERVICE_NAME"] = "api-standalone",
                ["ConnectionStrings__psd2db"] = app.GetConnectionString("psd2db"),
                ["ConnectionStrings__redis"] = app.GetConnectionString("redis"),
                ["services__sandboxbank__https__0"] = app.GetEndpoint("sandboxbank", "https").ToString(),
            },
        };
        using var process = Process.Start(start)!;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            var report = await WaitForHealthyAsync(client, Deadline.In(30));

            var checks = report.GetProperty("checks");
            Assert.Equal("Healthy", checks.GetProperty("psd2db").GetProperty("status").GetString());
            Assert.Equal("Healthy", checks.GetProperty("redis").GetProperty("status").GetString());
            var info = await client.GetFromJsonAsync<JsonElement>("/info");
            Assert.Equal("api-standalone", info.GetProperty("service").GetString());
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    [Fact]
    public async Task ApiWithoutItsConnectionStringFailsAtStartNamingTheVariable()
    {
        var output = Path.Combine(BuildInfo.RepositoryRoot, "Psd2.Api", "bin", BuildInfo.Configuration, "net10.0");
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { Path.Combine(output, "Psd2.Api.dll") },
            WorkingDirectory = output,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment = { ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{FreePort()}" },
        };
        start.Environment.Remove("ConnectionStrings__psd2db");
        using var process = Process.Start(start)!;
        var errors = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync(Deadline.In(30));

        Assert.NotEqual(0, process.ExitCode);
        Assert.Contains("ConnectionStrings__psd2db", await errors + await stdout, StringComparison.Ordinal);
    }

    private static async Task<JsonElement> WaitForHealthyAsync(HttpClient client, CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                using var response = await client.GetAsync("/health", cancellationToken);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken)).RootElement.Clone();
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(200, cancellationToken);
        }
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
