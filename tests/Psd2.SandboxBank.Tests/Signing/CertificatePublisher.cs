using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Psd2.SandboxBank.Tests.Signing;

/// <summary>
/// Where a TPP publishes its QSealC for STET banks: a small Kestrel on 127.0.0.1 serving whatever a test puts at a
/// path (a certificate, something else, a redirect), and counting the fetches of each.
/// </summary>
public sealed class CertificatePublisher : IAsyncLifetime
{
    private readonly ConcurrentDictionary<string, Func<HttpContext, Task>> _answers = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _fetches = new(StringComparer.Ordinal);
    private WebApplication? _server;

    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>The file name STET's keyId convention gives a certificate: its SHA-256 fingerprint in hex.</summary>
    public static string FileName(X509Certificate2 certificate, string prefix = "qsealc") =>
        $"{prefix}_{Convert.ToHexStringLower(SHA256.HashData(certificate.RawData))}.pem";

    /// <summary>Serves <paramref name="certificate"/> in PEM under <paramref name="fileName"/> (its own name by default); answers the URL.</summary>
    public string Publish(X509Certificate2 certificate, string? fileName = null) =>
        Serve(fileName ?? FileName(certificate), "application/x-pem-file", certificate.ExportCertificatePem());

    /// <summary>Serves <paramref name="content"/> under a fresh path ending in <paramref name="fileName"/>; answers the URL.</summary>
    public string Serve(string fileName, string contentType, string content) =>
        Answer(fileName, context =>
        {
            context.Response.ContentType = contentType;
            return context.Response.WriteAsync(content);
        });

    /// <summary>Redirects a fresh path ending in <paramref name="fileName"/> to <paramref name="location"/>; answers the URL.</summary>
    public string Redirect(string fileName, string location) =>
        Answer(fileName, context =>
        {
            context.Response.Redirect(location);
            return Task.CompletedTask;
        });

    /// <summary>How often the URL was fetched.</summary>
    public int Fetches(string url) => _fetches.GetValueOrDefault(new Uri(url).AbsolutePath);

    // Each answer gets its own folder, so tests publishing the same certificate do not share a URL or a fetch count.
    private string Answer(string fileName, Func<HttpContext, Task> answer)
    {
        var path = $"/{Guid.NewGuid():N}/{fileName}";
        _answers[path] = answer;
        return new Uri(BaseAddress, path).ToString();
    }

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { EnvironmentName = "Testing" });
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        _server = builder.Build();
        _server.Run(context =>
        {
            var path = context.Request.Path.Value ?? "";
            _fetches.AddOrUpdate(path, 1, (_, count) => count + 1);
            if (_answers.TryGetValue(path, out var answer))
            {
                return answer(context);
            }

            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return Task.CompletedTask;
        });
        await _server.StartAsync();
        BaseAddress = new Uri(_server.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
    }

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}
