using System.Net;
using System.Net.Http.Json;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Psd2.SandboxBank.Tests.Signing;
using Psd2.SandboxPki;

namespace Psd2.SandboxBank.Tests;

/// <summary>
/// The sandbox bank in this process on real Kestrel: the mutual-TLS "https" endpoint and the "psu" endpoint on
/// loopback, TLS certificates from a test QTSP, sandboxdb on PostgreSQL. A subclass chooses the standard and its
/// settings (<see cref="StandardSettings"/>) and may issue more certificates with <see cref="Usable"/>. Started
/// once for a collection.
/// </summary>
public abstract class InProcessSandboxBank : IAsyncLifetime
{
    private readonly BankDatabase _database = new();
    private readonly List<X509Certificate2> _certificates = [];
    private readonly string _folder;
    private readonly DateTimeOffset _notBefore;
    private readonly DateTimeOffset _notAfter;
    private InProcessBank? _bank;

    /// <param name="name">Names the temporary folder and the admin key, so two banks never share either.</param>
    protected InProcessSandboxBank(string name)
    {
        _folder = Path.Combine(Path.GetTempPath(), $"psd2-{name}-bank-" + Guid.NewGuid().ToString("N")[..12]);
        AdminKey = $"{name}-bank-tests-admin-key";
        var now = DateTimeOffset.UtcNow;
        (_notBefore, _notAfter) = (now.AddDays(-1), now.AddYears(1));
        Ca = CertificateFactory.CreateRootCa(SandboxCertificates.CaSubject, _notBefore, _notAfter);
        _certificates.Add(Ca);
        ServerCertificate = Usable(CertificateFactory.IssueTlsServerCertificate(
            Ca, SandboxCertificates.BankTlsSubject, ["localhost"], [IPAddress.Loopback], _notBefore, _notAfter));
        Tpp = IssueTpp(SandboxCertificates.Tpp);
        OtherTpp = IssueTpp(SigningCertificates.OtherTpp);
        SecondQwac = Usable(CertificateFactory.IssueQwac(Ca, SandboxCertificates.Tpp, _notBefore, _notAfter));
    }

    public string AdminKey { get; }

    public X509Certificate2 Ca { get; }

    public X509Certificate2 ServerCertificate { get; }

    /// <summary>The TPP the tests act as: QWAC for TLS, QSealC for signatures and request objects.</summary>
    public TppCertificates Tpp { get; }

    public TppCertificates OtherTpp { get; }

    /// <summary>Another QWAC of the same TPP: same organisation, another key.</summary>
    public X509Certificate2 SecondQwac { get; }

    public Uri TppBaseUrl { get; private set; } = null!;

    public Uri PsuBaseUrl { get; private set; } = null!;

    public IServiceProvider Services => _bank!.Services;

    /// <summary>The standard's SandboxBank settings (Standard, Country, RedirectUris, RequireSignature...), beside the ones every bank here has.</summary>
    protected abstract IReadOnlyDictionary<string, string> StandardSettings { get; }

    public virtual async Task InitializeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await _database.StartAsync(timeout.Token);
        Directory.CreateDirectory(_folder);
        var caPath = Path.Combine(_folder, "ca.pem");
        await File.WriteAllTextAsync(caPath, Ca.ExportCertificatePem(), timeout.Token);

        var (tppPort, psuPort) = (FreePort(), FreePort());
        TppBaseUrl = new Uri($"https://127.0.0.1:{tppPort}");
        PsuBaseUrl = new Uri($"https://127.0.0.1:{psuPort}");
        var settings = new Dictionary<string, string>(StandardSettings)
        {
            ["ConnectionStrings:sandboxdb"] = _database.ConnectionString,
            ["SandboxBank:PsuBaseUrl"] = PsuBaseUrl.ToString().TrimEnd('/'),
            ["SandboxBank:TppBaseUrl"] = TppBaseUrl.ToString().TrimEnd('/'),
            ["SandboxBank:Tls:TrustedCaPath"] = caPath,
            ["SandboxBank:Sandbox:AdminKey"] = AdminKey,
            ["SandboxBank:Sandbox:EnableTestClock"] = "true",
        };
        _bank = new InProcessBank(settings);
        _bank.UseKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Loopback, tppPort, listen => listen.UseHttps(ServerCertificate, https =>
            {
                https.ClientCertificateMode = ClientCertificateMode.RequireCertificate;
                https.ClientCertificateValidation = (_, _, _) => true;
            }));
            kestrel.Listen(IPAddress.Loopback, psuPort, listen => listen.UseHttps(ServerCertificate));
        });
        _bank.StartServer();

        // The bank answers once it has migrated and seeded its database.
        using var admin = Admin();
        using var health = await admin.GetAsync("/sandbox/clock", timeout.Token);
        health.EnsureSuccessStatusCode();
    }

    /// <summary>A TPP's client on the mutual-TLS endpoint, presenting <paramref name="qwac"/>.</summary>
    public HttpClient TppClient(X509Certificate2 qwac) => new(new SocketsHttpHandler
    {
        AllowAutoRedirect = false,
        SslOptions = new SslClientAuthenticationOptions { ClientCertificates = [qwac], RemoteCertificateValidationCallback = TrustsTestCa },
    })
    { BaseAddress = TppBaseUrl, Timeout = TimeSpan.FromSeconds(60) };

    /// <summary>The PSU's browser on the psu endpoint: cookies kept, redirects reported rather than followed.</summary>
    public HttpClient Browser() => new(new SocketsHttpHandler
    {
        AllowAutoRedirect = false,
        CookieContainer = new CookieContainer(),
        SslOptions = new SslClientAuthenticationOptions { RemoteCertificateValidationCallback = TrustsTestCa },
    })
    { BaseAddress = PsuBaseUrl, Timeout = TimeSpan.FromSeconds(60) };

    /// <summary>The sandbox controls, with the admin key.</summary>
    public HttpClient Admin()
    {
        var client = Browser();
        client.DefaultRequestHeaders.Add("X-Admin-Key", AdminKey);
        return client;
    }

    /// <summary>A PSU of its own for a test, with two accounts and two years of history, reproducible from <paramref name="seed"/>.</summary>
    public async Task<string> CreatePsuAsync(ulong seed, CancellationToken cancellationToken)
    {
        var psu = await PostPsuAsync(new { accounts = 2, seed }, cancellationToken);
        return psu.GetProperty("personalNumber").GetString()!;
    }

    public T Service<T>() where T : notnull => Services.GetRequiredService<T>();

    public virtual async Task DisposeAsync()
    {
        if (_bank is not null)
        {
            await _bank.DisposeAsync();
        }

        await _database.DisposeAsync();
        foreach (var certificate in _certificates)
        {
            certificate.Dispose();
        }

        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    /// <summary>POST /sandbox/psus with <paramref name="request"/>; answers the PSU the bank made.</summary>
    protected async Task<JsonElement> PostPsuAsync(object request, CancellationToken cancellationToken)
    {
        using var admin = Admin();
        using var response = await admin.PostAsJsonAsync("/sandbox/psus", request, cancellationToken);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
    }

    /// <summary>A QWAC and a QSealC for <paramref name="identity"/> from the test QTSP, valid for the fixture's life.</summary>
    protected TppCertificates IssueTpp(TppIdentity identity) => new(
        Usable(CertificateFactory.IssueQwac(Ca, identity, _notBefore, _notAfter)),
        Usable(CertificateFactory.IssueQsealC(Ca, identity, _notBefore, _notAfter)));

    /// <summary>
    /// Keys made in memory are exported and loaded back, the way certificates from files are, so TLS can use them on
    /// any platform. The fixture disposes what it answers.
    /// </summary>
    protected X509Certificate2 Usable(X509Certificate2 certificate)
    {
        using (certificate)
        {
            var loaded = X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), null, X509KeyStorageFlags.Exportable);
            _certificates.Add(loaded);
            return loaded;
        }
    }

    private bool TrustsTestCa(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (certificate is null)
        {
            return false;
        }

        using var ours = new X509Chain();
        ours.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        ours.ChainPolicy.CustomTrustStore.Add(Ca);
        ours.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return ours.Build(new X509Certificate2(certificate));
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private sealed class InProcessBank(IReadOnlyDictionary<string, string> settings) : WebApplicationFactory<Program>
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseEnvironment("Testing");
            foreach (var (key, value) in settings)
            {
                builder.UseSetting(key, value);
            }
        }
    }
}

/// <summary>A TPP's two certificates: the QWAC it connects with, the QSealC it signs with.</summary>
public sealed record TppCertificates(X509Certificate2 Qwac, X509Certificate2 QsealC);
