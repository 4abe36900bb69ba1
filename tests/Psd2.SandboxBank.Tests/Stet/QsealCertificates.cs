using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Psd2.SandboxBank.Tests.Stet;

/// <summary>
/// A TPP's certificate publication: a small web server on loopback serving each QSealC in PEM at
/// <c>/certificates/qsealc_&lt;SHA-256 of its DER in hex&gt;.pem</c>, the URL its signatures name as keyId, as the
/// platform's api publishes its own.
/// </summary>
public sealed class QsealCertificates : IAsyncDisposable
{
    private readonly Dictionary<string, string> _pems = new(StringComparer.Ordinal);
    private WebApplication? _server;

    public Uri BaseUrl { get; private set; } = null!;

    /// <summary>How often the bank fetched a certificate: it is expected to keep what it fetched.</summary>
    public int Fetches { get; private set; }

    public async Task StartAsync(IEnumerable<X509Certificate2> certificates, CancellationToken cancellationToken)
    {
        foreach (var certificate in certificates)
        {
            _pems[FileName(certificate)] = certificate.ExportCertificatePem();
        }

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { EnvironmentName = "Testing" });
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        _server = builder.Build();
        _server.MapGet("/certificates/{name}", (string name) =>
        {
            Fetches++;
            return _pems.TryGetValue(name, out var pem) ? Results.Text(pem, "application/x-pem-file") : Results.NotFound();
        });
        await _server.StartAsync(cancellationToken);
        var address = _server.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BaseUrl = new Uri(address);
    }

    /// <summary>The keyId of signatures made with <paramref name="qsealC"/>: the URL it is published at.</summary>
    public string KeyId(X509Certificate2 qsealC) => new Uri(BaseUrl, "/certificates/" + FileName(qsealC)).ToString();

    public static string FileName(X509Certificate2 certificate) => $"qsealc_{Convert.ToHexStringLower(SHA256.HashData(certificate.RawData))}.pem";

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}
