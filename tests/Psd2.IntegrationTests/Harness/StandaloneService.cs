using System.Diagnostics;
using System.Net;
using System.Text.Json;

namespace Psd2.IntegrationTests.Harness;

/// <summary>A service started by hand from its build output, outside the AppHost, with only the variables a test gives it.</summary>
internal sealed class StandaloneService : IAsyncDisposable
{
    private readonly Process _process;
    private readonly Task<string> _stdout;
    private readonly Task<string> _stderr;

    private StandaloneService(Process process, Uri address)
    {
        _process = process;
        Address = address;
        _stdout = process.StandardOutput.ReadToEndAsync();
        _stderr = process.StandardError.ReadToEndAsync();
    }

    public Uri Address { get; }

    public static StandaloneService Start(string project, IDictionary<string, string> environment)
    {
        var address = new Uri($"http://127.0.0.1:{Psd2.AppHost.DirectEndpoints.FreePort()}");
        var output = Path.Combine(Repository.Root, project, "bin", Repository.Configuration, "net10.0");
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { Path.Combine(output, project + ".dll") },
            WorkingDirectory = output,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment = { ["ASPNETCORE_URLS"] = address.ToString() },
        };
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        return new StandaloneService(Process.Start(start)!, address);
    }

    public HttpClient CreateClient() => new() { BaseAddress = Address };

    /// <summary>The api's own settings beyond Aspire's variables: its TPP certificates, its token key, its public address.</summary>
    public static Dictionary<string, string> ApiSettings(TestApp app) => new()
    {
        ["Tpp__QwacCertificatePath"] = app.Certificates.TppQwacCertificate,
        ["Tpp__QwacKeyPath"] = app.Certificates.TppQwacKey,
        ["Tpp__QsealCertificatePath"] = app.Certificates.TppQsealCertificate,
        ["Tpp__QsealKeyPath"] = app.Certificates.TppQsealKey,
        ["Tpp__TrustedCaPath"] = app.Certificates.CaCertificate,
        ["Tokens__EncryptionKey"] = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)),
        ["Api__PublicBaseUrl"] = "http://127.0.0.1",
    };

    /// <summary>Waits for <c>/health</c> to answer 200 and returns its report; fails at once if the process exits.</summary>
    public async Task<JsonElement> WaitForHealthyAsync(TimeSpan within) =>
        JsonDocument.Parse(await WaitForOkAsync("/health", within)).RootElement.Clone();

    /// <summary>Waits for <c>/alive</c> to answer 200: a process that cannot reach Redis is alive but never ready at <c>/health</c>.</summary>
    public Task WaitForAliveAsync(TimeSpan within) => WaitForOkAsync("/alive", within);

    private async Task<string> WaitForOkAsync(string path, TimeSpan within)
    {
        using var client = CreateClient();
        var body = await Eventually.Holds<string?>(async ct =>
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"exited with {_process.ExitCode}: {await OutputAsync()}");
            }

            try
            {
                using var response = await client.GetAsync(path, ct);
                return response.StatusCode == HttpStatusCode.OK ? await response.Content.ReadAsStringAsync(ct) : null;
            }
            catch (HttpRequestException)
            {
                return null; // Not listening yet.
            }
        }, body => body is not null, within, $"{path} to answer 200");
        return body!;
    }

    /// <summary>Waits for the process to end by itself and returns its exit code.</summary>
    public async Task<int> WaitForExitAsync(CancellationToken cancellationToken)
    {
        await _process.WaitForExitAsync(cancellationToken);
        return _process.ExitCode;
    }

    public async Task<string> OutputAsync() => await _stdout + await _stderr;

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync();
        _process.Dispose();
    }
}
