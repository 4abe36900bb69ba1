using System.Diagnostics;
using System.Text.Json;

namespace Psd2.IntegrationTests.Harness;

public sealed record TestClientApp(Guid Id, Guid KeyId, string Key);

/// <summary>Runs the documented <c>Psd2.Api clientapps</c> command against the app's psd2db, as an operator would.</summary>
internal static class ClientAppCli
{
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(TestApp app, params string[] args)
    {
        var output = Path.Combine(Repository.Root, "Psd2.Api", "bin", Repository.Configuration, "net10.0");
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = output,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment =
            {
                ["ConnectionStrings__psd2db"] = app.GetConnectionString("psd2db"),
                ["ConnectionStrings__redis"] = app.GetConnectionString("redis"),
                ["DOTNET_ENVIRONMENT"] = "Testing",
            },
        };
        start.ArgumentList.Add(Path.Combine(output, "Psd2.Api.dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout, await stderr);
    }

    /// <summary>A client app of the test's own, with one key and the given redirect URIs.</summary>
    public static async Task<TestClientApp> CreateAsync(TestApp app, params string[] redirectUris)
    {
        var args = new List<string> { "clientapps", "create", "--name", "test app " + Guid.NewGuid().ToString("N")[..8] };
        foreach (var uri in redirectUris)
        {
            args.AddRange(["--redirect-uri", uri]);
        }

        var (exitCode, stdout, stderr) = await RunAsync(app, [.. args]);
        Assert.True(exitCode == 0, $"clientapps create exited {exitCode}: {stderr}");
        var created = JsonDocument.Parse(stdout).RootElement;
        return new TestClientApp(
            created.GetProperty("clientAppId").GetGuid(),
            created.GetProperty("apiKey").GetProperty("keyId").GetGuid(),
            created.GetProperty("apiKey").GetProperty("key").GetString()!);
    }

    public static HttpClient ApiClient(TestApp app, string key)
    {
        var client = app.CreateHttpClient("api", through: new AnsweredStatuses());
        client.DefaultRequestHeaders.Authorization = new("Bearer", key);
        return client;
    }
}
