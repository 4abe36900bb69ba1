using System.Net;
using System.Net.Http.Json;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Psd2.SandboxBank.Tests.UkOpenBanking;
using Psd2.SandboxPki;

namespace Psd2.SandboxBank.Tests.Payments;

[CollectionDefinition(Name)]
public sealed class BerlinGroupBankCollection : ICollectionFixture<BerlinGroupBank>
{
    public const string Name = "Berlin Group bank";
}

/// <summary>
/// The sandbox bank in its default standard (Berlin Group NextGenPSD2), in this process on real Kestrel: the
/// mutual-TLS "https" endpoint and the "psu" endpoint on loopback, certificates from a test QTSP, sandboxdb on
/// PostgreSQL. The AIS profile does not ask for signatures, so what is signed is signed because payments must be.
/// Started once for the collection; its tests run one after another, so a test may switch a fault or the profile.
/// </summary>
public sealed class BerlinGroupBank : IAsyncLifetime
{
    public const string AdminKey = "berlin-group-bank-tests-admin-key";

    private readonly BankDatabase _database = new();
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "psd2-bg-bank-" + Guid.NewGuid().ToString("N")[..12]);
    private InProcessBank? _bank;

    public BerlinGroupBank()
    {
        var now = DateTimeOffset.UtcNow;
        var (notBefore, notAfter) = (now.AddDays(-1), now.AddYears(1));
        Ca = CertificateFactory.CreateRootCa(SandboxCertificates.CaSubject, notBefore, notAfter);
        ServerCertificate = Usable(CertificateFactory.IssueTlsServerCertificate(
            Ca, SandboxCertificates.BankTlsSubject, ["localhost"], [IPAddress.Loopback], notBefore, notAfter));
        Tpp = new TppCertificates(
            Usable(CertificateFactory.IssueQwac(Ca, SandboxCertificates.Tpp, notBefore, notAfter)),
            Usable(CertificateFactory.IssueQsealC(Ca, SandboxCertificates.Tpp, notBefore, notAfter)));
        OtherTpp = new TppCertificates(
            Usable(CertificateFactory.IssueQwac(Ca, Signing.SigningCertificates.OtherTpp, notBefore, notAfter)),
            Usable(CertificateFactory.IssueQsealC(Ca, Signing.SigningCertificates.OtherTpp, notBefore, notAfter)));
        var accountInformationOnly = SandboxCertificates.Tpp with { Roles = [PspRole.PspAi] };
        AccountInformationOnly = new TppCertificates(
            Usable(CertificateFactory.IssueQwac(Ca, accountInformationOnly, notBefore, notAfter)),
            Usable(CertificateFactory.IssueQsealC(Ca, accountInformationOnly, notBefore, notAfter)));
    }

    public X509Certificate2 Ca { get; }

    public X509Certificate2 ServerCertificate { get; }

    /// <summary>The TPP the tests act as, authorised for AIS and PIS (PSP_AI, PSP_PI).</summary>
    public TppCertificates Tpp { get; }

    public TppCertificates OtherTpp { get; }

    /// <summary>The same TPP with certificates that carry PSP_AI only.</summary>
    public TppCertificates AccountInformationOnly { get; }

    public Uri TppBaseUrl { get; private set; } = null!;

    public Uri PsuBaseUrl { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await _database.StartAsync(timeout.Token);
        Directory.CreateDirectory(_folder);
        var caPath = Path.Combine(_folder, "ca.pem");
        await File.WriteAllTextAsync(caPath, Ca.ExportCertificatePem(), timeout.Token);

        var (tppPort, psuPort) = (FreePort(), FreePort());
        TppBaseUrl = new Uri($"https://127.0.0.1:{tppPort}");
        PsuBaseUrl = new Uri($"https://127.0.0.1:{psuPort}");
        _bank = new InProcessBank(new Dictionary<string, string>
        {
            ["ConnectionStrings:sandboxdb"] = _database.ConnectionString,
            ["SandboxBank:PsuBaseUrl"] = PsuBaseUrl.ToString().TrimEnd('/'),
            ["SandboxBank:TppBaseUrl"] = TppBaseUrl.ToString().TrimEnd('/'),
            ["SandboxBank:RequireSignature"] = "false",
            ["SandboxBank:Tls:TrustedCaPath"] = caPath,
            ["SandboxBank:Sandbox:AdminKey"] = AdminKey,
            ["SandboxBank:Sandbox:EnableTestClock"] = "true",
        });
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

    /// <summary>A PSU of its own for a test, with two accounts and two years of history; <paramref name="decoupled"/> is its BankID app's behaviour.</summary>
    public async Task<TestPsu> CreatePsuAsync(CancellationToken cancellationToken, string decoupled = "ApproveAfterDelay")
    {
        using var admin = Admin();
        using var response = await admin.PostAsJsonAsync("/sandbox/psus", new { accounts = 2, decoupled }, cancellationToken);
        response.EnsureSuccessStatusCode();
        var psu = await response.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>(cancellationToken);
        var account = psu.GetProperty("accounts")[0];
        return new TestPsu(psu.GetProperty("personalNumber").GetString()!, account.GetProperty("resourceId").GetString()!,
            account.GetProperty("iban").GetString()!, account.GetProperty("currency").GetString()!);
    }

    /// <summary>The bank's business day, which the test clock may have moved ahead of the calendar.</summary>
    public async Task<DateOnly> TodayAsync(CancellationToken cancellationToken)
    {
        using var admin = Admin();
        var clock = await admin.GetFromJsonAsync<System.Text.Json.JsonElement>("/sandbox/clock", cancellationToken);
        return DateOnly.Parse(clock.GetProperty("today").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
    }

    public async Task AdvanceClockAsync(int days, CancellationToken cancellationToken)
    {
        using var admin = Admin();
        using var response = await admin.PostAsJsonAsync("/sandbox/clock/advance", new { days }, cancellationToken);
        response.EnsureSuccessStatusCode();
    }

    public async Task DisposeAsync()
    {
        if (_bank is not null)
        {
            await _bank.DisposeAsync();
        }

        await _database.DisposeAsync();
        foreach (var certificate in new[] { Ca, ServerCertificate, Tpp.Qwac, Tpp.QsealC, OtherTpp.Qwac, OtherTpp.QsealC, AccountInformationOnly.Qwac, AccountInformationOnly.QsealC })
        {
            certificate.Dispose();
        }

        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
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

    // Keys made in memory are exported and loaded back, the way certificates from files are, so TLS can use them on any platform.
    private static X509Certificate2 Usable(X509Certificate2 certificate)
    {
        using (certificate)
        {
            return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), null, X509KeyStorageFlags.Exportable);
        }
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

/// <summary>A test's own PSU and the account it pays from.</summary>
public sealed record TestPsu(string PersonalNumber, string AccountId, string Iban, string Currency);
