using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Psd2.SandboxPki;
using Xunit;

namespace Psd2.SandboxPki.Tests;

/// <summary>
/// One generated set per test class: RSA key generation dominates the run time, so tests that only inspect a set
/// start from a copy of this one instead of generating their own.
/// </summary>
public sealed class SandboxPkiTemplate : IDisposable
{
    public SandboxPkiTemplate() => Files = SandboxCertificates.EnsureCreated(Folder);

    public string Folder { get; } = Path.Combine(Path.GetTempPath(), "psd2-pki-tests", "template-" + Guid.NewGuid().ToString("N"));

    public SandboxPkiFiles Files { get; }

    public void Dispose() => Directory.Delete(Folder, recursive: true);
}

public sealed class SandboxPkiTests(SandboxPkiTemplate template) : IClassFixture<SandboxPkiTemplate>, IDisposable
{
    private static readonly TimeSpan HandshakeTimeout = TimeSpan.FromSeconds(30);

    private readonly string _folder = Path.Combine(Path.GetTempPath(), "psd2-pki-tests", Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    /// <summary>Puts a copy of the template set into this test's folder and lets EnsureCreated adopt it.</summary>
    private SandboxPkiFiles EnsureCreatedFromTemplate()
    {
        Directory.CreateDirectory(_folder);
        foreach (var (certificate, key) in template.Files.Pairs)
        {
            File.Copy(certificate, Path.Combine(_folder, Path.GetFileName(certificate)));
            File.Copy(key, Path.Combine(_folder, Path.GetFileName(key)));
        }

        var files = SandboxCertificates.EnsureCreated(_folder);
        Assert.Equal(Thumbprints(template.Files), Thumbprints(files));
        return files;
    }

    [Fact]
    public void EnsureCreated_writes_every_file_as_pem_with_private_keys_readable_by_owner_only()
    {
        var files = SandboxCertificates.EnsureCreated(_folder);

        Assert.Equal("PSDSE-FINA-44059", files.TppOrganizationIdentifier);
        foreach (var (certificate, key) in files.Pairs)
        {
            Assert.StartsWith(Path.GetFullPath(_folder), certificate, StringComparison.Ordinal);
            Assert.StartsWith("-----BEGIN CERTIFICATE-----", File.ReadAllText(certificate), StringComparison.Ordinal);
            Assert.StartsWith("-----BEGIN PRIVATE KEY-----", File.ReadAllText(key), StringComparison.Ordinal);
            if (!OperatingSystem.IsWindows())
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(key));
            }
        }

        Assert.Empty(Directory.GetFiles(_folder, "*.tmp"));
    }

    [Fact]
    public void Every_leaf_loads_from_pem_with_its_private_key()
    {
        var files = EnsureCreatedFromTemplate();

        foreach (var (certificate, key) in files.Pairs)
        {
            using var loaded = X509Certificate2.CreateFromPemFile(certificate, key);
            Assert.True(loaded.HasPrivateKey);
            using var rsa = loaded.GetRSAPrivateKey();
            Assert.NotNull(rsa);
            Assert.Equal(CertificateFactory.RsaKeySizeInBits, rsa.KeySize);
        }
    }

    [Fact]
    public void Qwac_chains_to_the_sandbox_ca_and_identifies_the_tpp()
    {
        var files = EnsureCreatedFromTemplate();
        using var ca = LoadCertificate(files.CaCertificate);
        using var qwac = LoadCertificate(files.TppQwacCertificate);

        Assert.True(BuildChain(qwac, ca, out var status), string.Join(", ", status));
        Assert.Contains(CertificateFactory.ClientAuthenticationOid, EnhancedKeyUsages(qwac));

        var organizationIdentifier = qwac.SubjectName.EnumerateRelativeDistinguishedNames()
            .Single(rdn => rdn.GetSingleElementType().Value == "2.5.4.97")
            .GetSingleElementValue();
        Assert.Equal("PSDSE-FINA-44059", organizationIdentifier);
        Assert.Equal("PSDSE-FINA-44059", CertificateFactory.ReadOrganizationIdentifier(qwac));
        Assert.Equal("psd2-sandbox-tpp", qwac.GetNameInfo(X509NameType.SimpleName, forIssuer: false));
        Assert.Contains("O=Psd2 Sandbox TPP", qwac.Subject, StringComparison.Ordinal);

        // Encoded most general first, like real QTSP-issued subjects.
        Assert.Equal(
            ["2.5.4.6", "2.5.4.10", "2.5.4.97", "2.5.4.3"],
            qwac.SubjectName.EnumerateRelativeDistinguishedNames(reversed: false).Select(rdn => rdn.GetSingleElementType().Value));
        Assert.Equal("SE", qwac.SubjectName.EnumerateRelativeDistinguishedNames(reversed: false).First().GetSingleElementValue());

        var basicConstraints = qwac.Extensions.OfType<X509BasicConstraintsExtension>().Single();
        Assert.False(basicConstraints.CertificateAuthority);
        Assert.NotNull(qwac.Extensions.OfType<X509SubjectKeyIdentifierExtension>().SingleOrDefault());
        var authorityKeyIdentifier = qwac.Extensions.OfType<X509AuthorityKeyIdentifierExtension>().Single();
        var caKeyIdentifier = ca.Extensions.OfType<X509SubjectKeyIdentifierExtension>().Single().SubjectKeyIdentifierBytes;
        Assert.True(authorityKeyIdentifier.KeyIdentifier!.Value.Span.SequenceEqual(caKeyIdentifier.Span));
        Assert.True(qwac.SerialNumberBytes.Span[0] < 0x80, "Serial number must be a positive DER integer.");
    }

    [Fact]
    public void Qwac_and_qseal_qc_statements_read_back_with_roles_and_nca()
    {
        var files = EnsureCreatedFromTemplate();
        using var qwac = LoadCertificate(files.TppQwacCertificate);
        using var qseal = LoadCertificate(files.TppQsealCertificate);

        foreach (var certificate in new[] { qwac, qseal })
        {
            Assert.True(Psd2QcStatements.TryRead(certificate, out var roles, out var ncaName, out var ncaId));
            Assert.Equal([PspRole.PspAi, PspRole.PspPi], roles);
            Assert.Equal("Finansinspektionen", ncaName);
            Assert.Equal("SE-FINA", ncaId);
            Assert.False(certificate.Extensions[Psd2QcStatements.ExtensionOid]!.Critical);
        }

        Assert.True(Psd2QcStatements.TryReadKinds(qwac, out var qwacKinds));
        Assert.Equal([QcCertificateKind.Web], qwacKinds);
        Assert.True(Psd2QcStatements.TryReadKinds(qseal, out var qsealKinds));
        Assert.Equal([QcCertificateKind.ESeal], qsealKinds);

        var keyUsage = qseal.Extensions.OfType<X509KeyUsageExtension>().Single().KeyUsages;
        Assert.Equal(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.NonRepudiation, keyUsage);
        Assert.Empty(qseal.Extensions.OfType<X509EnhancedKeyUsageExtension>());
    }

    [Fact]
    public void Qc_statements_extension_is_the_der_of_ts_119_495()
    {
        var extension = Psd2QcStatements.CreateExtension(QcCertificateKind.Web, [PspRole.PspAs], "N", "XX-N");

        // SEQUENCE { QcCompliance } { QcType { web } } { PSD2 { { { PSP_AS, "PSP_AS" } }, "N", "XX-N" } }, by hand.
        byte[] expected =
        [
            0x30, 0x49,
            0x30, 0x08, 0x06, 0x06, 0x04, 0x00, 0x8E, 0x46, 0x01, 0x01,
            0x30, 0x13, 0x06, 0x06, 0x04, 0x00, 0x8E, 0x46, 0x01, 0x06,
            0x30, 0x09, 0x06, 0x07, 0x04, 0x00, 0x8E, 0x46, 0x01, 0x06, 0x03,
            0x30, 0x28, 0x06, 0x06, 0x04, 0x00, 0x81, 0x98, 0x27, 0x02,
            0x30, 0x1E,
            0x30, 0x13, 0x30, 0x11, 0x06, 0x07, 0x04, 0x00, 0x81, 0x98, 0x27, 0x01, 0x01,
            0x0C, 0x06, (byte)'P', (byte)'S', (byte)'P', (byte)'_', (byte)'A', (byte)'S',
            0x0C, 0x01, (byte)'N',
            0x0C, 0x04, (byte)'X', (byte)'X', (byte)'-', (byte)'N',
        ];
        Assert.Equal(expected, extension.RawData);
        Assert.Equal(Psd2QcStatements.ExtensionOid, extension.Oid!.Value);
    }

    [Fact]
    public void Bank_tls_certificate_names_localhost_and_loopback_for_server_authentication()
    {
        var files = EnsureCreatedFromTemplate();
        using var ca = LoadCertificate(files.CaCertificate);
        using var tls = LoadCertificate(files.BankTlsCertificate);

        var subjectAlternativeNames = tls.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single();
        Assert.Equal(["localhost"], subjectAlternativeNames.EnumerateDnsNames());
        Assert.Equal([IPAddress.Loopback, IPAddress.IPv6Loopback], subjectAlternativeNames.EnumerateIPAddresses());
        Assert.Contains(CertificateFactory.ServerAuthenticationOid, EnhancedKeyUsages(tls));
        Assert.True(tls.MatchesHostname("localhost"));
        Assert.True(BuildChain(tls, ca, out var status), string.Join(", ", status));
    }

    [Fact]
    public void Ca_is_a_ten_year_root_and_leaves_are_backdated_two_year_certificates()
    {
        var now = DateTimeOffset.UtcNow;
        var files = SandboxCertificates.EnsureCreated(_folder, new FixedTimeProvider(now));
        using var ca = LoadCertificate(files.CaCertificate);
        using var qseal = LoadCertificate(files.TppQsealCertificate);

        Assert.True(ca.Extensions.OfType<X509BasicConstraintsExtension>().Single().CertificateAuthority);
        Assert.Equal(ca.SubjectName.RawData, ca.IssuerName.RawData);
        Assert.Equal("CN=Psd2 Sandbox QTSP Root CA, O=Psd2 Sandbox QTSP, C=SE", ca.Subject);
        Assert.InRange(ToUtc(ca.NotAfter) - now, TimeSpan.FromDays(3650), TimeSpan.FromDays(3654));
        Assert.InRange(now - ToUtc(qseal.NotBefore), TimeSpan.FromHours(23), TimeSpan.FromHours(25));
        Assert.InRange(ToUtc(qseal.NotAfter) - now, TimeSpan.FromDays(729), TimeSpan.FromDays(731));
    }

    [Fact]
    public void Second_call_reuses_a_valid_set()
    {
        var first = SandboxCertificates.EnsureCreated(_folder);
        var before = Thumbprints(first);

        var second = SandboxCertificates.EnsureCreated(_folder);

        Assert.Equal(first, second);
        Assert.Equal(before, Thumbprints(second));
    }

    [Fact]
    public void Set_near_expiry_is_regenerated()
    {
        var files = EnsureCreatedFromTemplate();
        var before = Thumbprints(files);
        var twoYearsLater = new FixedTimeProvider(DateTimeOffset.UtcNow.AddYears(2));

        var regenerated = SandboxCertificates.EnsureCreated(_folder, twoYearsLater);

        var after = Thumbprints(regenerated);
        Assert.All(before.Zip(after), pair => Assert.NotEqual(pair.First, pair.Second));
        using var qwac = LoadCertificate(regenerated.TppQwacCertificate);
        Assert.True(ToUtc(qwac.NotAfter) > twoYearsLater.GetUtcNow().AddDays(700));
    }

    [Fact]
    public void Incomplete_set_is_regenerated()
    {
        var files = EnsureCreatedFromTemplate();
        var before = Thumbprints(files);
        File.Delete(files.TppQsealKey);

        var regenerated = SandboxCertificates.EnsureCreated(_folder);

        Assert.True(File.Exists(regenerated.TppQsealKey));
        Assert.NotEqual(before[0], Thumbprints(regenerated)[0]);
    }

    [Fact]
    public void Set_mixing_two_generations_is_regenerated()
    {
        // What a crash half way through replacing a set can leave behind: the CA of one generation next to the
        // leaves of another.
        var files = SandboxCertificates.EnsureCreated(_folder);
        File.Copy(template.Files.CaCertificate, files.CaCertificate, overwrite: true);
        File.Copy(template.Files.CaKey, files.CaKey, overwrite: true);
        var mixed = Thumbprints(files);

        var regenerated = SandboxCertificates.EnsureCreated(_folder);

        using var ca = LoadCertificate(regenerated.CaCertificate);
        using var qwac = LoadCertificate(regenerated.TppQwacCertificate);
        Assert.NotEqual(mixed[0], ca.Thumbprint);
        Assert.NotEqual(mixed[2], qwac.Thumbprint);
        Assert.True(BuildChain(qwac, ca, out var status), string.Join(", ", status));
    }

    [Fact]
    public void Certificate_from_another_ca_does_not_chain()
    {
        var files = EnsureCreatedFromTemplate();
        using var sandboxCa = LoadCertificate(files.CaCertificate);
        var now = DateTimeOffset.UtcNow;
        using var foreignCa = CertificateFactory.CreateRootCa(SandboxCertificates.CaSubject, now.AddDays(-1), now.AddYears(1));
        using var foreignQwac = CertificateFactory.IssueQwac(foreignCa, SandboxCertificates.Tpp, now.AddDays(-1), now.AddMonths(6));

        Assert.False(BuildChain(foreignQwac, sandboxCa, out _));
        Assert.True(BuildChain(foreignQwac, foreignCa, out var status), string.Join(", ", status));
    }

    [Fact]
    public void Expired_qwac_fails_the_chain_check()
    {
        var files = EnsureCreatedFromTemplate();
        using var ca = X509Certificate2.CreateFromPemFile(files.CaCertificate, files.CaKey);
        var now = DateTimeOffset.UtcNow;
        using var expired = CertificateFactory.IssueQwac(ca, SandboxCertificates.Tpp, now.AddYears(-2), now.AddDays(-1));

        Assert.False(BuildChain(expired, ca, out var status));
        Assert.Contains(X509ChainStatusFlags.NotTimeValid, status);
    }

    [Fact]
    public void Factory_mints_variants_with_other_roles()
    {
        var files = EnsureCreatedFromTemplate();
        using var ca = X509Certificate2.CreateFromPemFile(files.CaCertificate, files.CaKey);
        var now = DateTimeOffset.UtcNow;
        var aspsp = SandboxCertificates.Tpp with { OrganizationIdentifier = "PSDDE-BAFIN-123456", Roles = [PspRole.PspAs, PspRole.PspIc] };

        using var qseal = CertificateFactory.IssueQsealC(ca, aspsp, now.AddDays(-1), now.AddDays(10));

        Assert.True(qseal.HasPrivateKey);
        Assert.Equal("PSDDE-BAFIN-123456", CertificateFactory.ReadOrganizationIdentifier(qseal));
        Assert.True(Psd2QcStatements.TryRead(qseal, out var roles, out _, out _));
        Assert.Equal([PspRole.PspAs, PspRole.PspIc], roles);
        Assert.True(BuildChain(qseal, ca, out var status), string.Join(", ", status));
    }

    [Fact]
    public void Certificate_without_qc_statements_is_not_read_as_psd2()
    {
        var files = EnsureCreatedFromTemplate();
        using var tls = LoadCertificate(files.BankTlsCertificate);

        Assert.False(Psd2QcStatements.TryRead(tls, out _, out _, out _));
        Assert.False(Psd2QcStatements.TryReadKinds(tls, out _));
    }

    [Fact]
    public async Task Mutual_tls_handshake_succeeds_with_bank_certificate_and_qwac()
    {
        var files = EnsureCreatedFromTemplate();
        using var ca = LoadCertificate(files.CaCertificate);

        // Straight from PEM, i.e. with ephemeral keys: enough for SslStream on Linux (OpenSSL). Windows (SChannel)
        // would need X509CertificateLoader.LoadPkcs12(cert.Export(X509ContentType.Pkcs12), null) first.
        using var serverCertificate = X509Certificate2.CreateFromPemFile(files.BankTlsCertificate, files.BankTlsKey);
        using var clientCertificate = X509Certificate2.CreateFromPemFile(files.TppQwacCertificate, files.TppQwacKey);

        var result = await HandshakeAsync(serverCertificate, clientCertificate, ca);

        Assert.Null(result.ServerError);
        Assert.Null(result.ClientError);
        Assert.True(result.ServerAcceptedClient);
        Assert.Equal(clientCertificate.Thumbprint, result.ClientThumbprintSeenByServer);
    }

    [Fact]
    public async Task Mutual_tls_handshake_rejects_a_client_certificate_from_another_ca()
    {
        var files = EnsureCreatedFromTemplate();
        using var ca = LoadCertificate(files.CaCertificate);
        using var serverCertificate = X509Certificate2.CreateFromPemFile(files.BankTlsCertificate, files.BankTlsKey);
        var now = DateTimeOffset.UtcNow;
        using var foreignCa = CertificateFactory.CreateRootCa(SandboxCertificates.CaSubject, now.AddDays(-1), now.AddYears(1));
        using var foreignQwac = CertificateFactory.IssueQwac(foreignCa, SandboxCertificates.Tpp, now.AddDays(-1), now.AddMonths(6));

        var result = await HandshakeAsync(serverCertificate, foreignQwac, ca);

        Assert.IsType<AuthenticationException>(result.ServerError);
        Assert.False(result.ServerAcceptedClient);
        Assert.Equal(foreignQwac.Thumbprint, result.ClientThumbprintSeenByServer);
    }

    private static async Task<HandshakeResult> HandshakeAsync(
        X509Certificate2 serverCertificate, X509Certificate2 clientCertificate, X509Certificate2 ca)
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        using var timeout = new CancellationTokenSource(HandshakeTimeout);

        bool? serverAccepted = null;
        string? seenThumbprint = null;

        async Task<Exception?> RunServerAsync()
        {
            using var socket = await listener.AcceptTcpClientAsync(timeout.Token);
            using var ssl = new SslStream(socket.GetStream(), leaveInnerStreamOpen: false);
            try
            {
                await ssl.AuthenticateAsServerAsync(
                    new SslServerAuthenticationOptions
                    {
                        ServerCertificate = serverCertificate,
                        ClientCertificateRequired = true,
                        CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
                        RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
                        {
                            // The OS does not trust the sandbox CA, so chain errors are expected and re-checked
                            // against the sandbox CA; a missing certificate is not.
                            seenThumbprint = (certificate as X509Certificate2)?.Thumbprint;
                            serverAccepted = certificate is X509Certificate2 client
                                && (errors & SslPolicyErrors.RemoteCertificateNotAvailable) == 0
                                && BuildChain(client, ca, out _)
                                && EnhancedKeyUsages(client).Contains(CertificateFactory.ClientAuthenticationOid);
                            return serverAccepted.Value;
                        },
                    },
                    timeout.Token);

                // Proves the channel works both ways, not just that the handshake returned.
                var buffer = new byte[1];
                await ssl.ReadExactlyAsync(buffer, timeout.Token);
                await ssl.WriteAsync(buffer, timeout.Token);
                return null;
            }
            catch (AuthenticationException exception)
            {
                return exception;
            }
        }

        async Task<Exception?> RunClientAsync()
        {
            using var socket = new TcpClient();
            await socket.ConnectAsync(IPAddress.Loopback, port, timeout.Token);
            using var ssl = new SslStream(socket.GetStream(), leaveInnerStreamOpen: false);
            try
            {
                await ssl.AuthenticateAsClientAsync(
                    new SslClientAuthenticationOptions
                    {
                        TargetHost = "localhost",
                        CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
                        // A selection callback, not ClientCertificates: the server advertises no acceptable CAs,
                        // and the certificate must be offered regardless.
                        LocalCertificateSelectionCallback = (_, _, _, _, _) => clientCertificate,
                        RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
                            certificate is X509Certificate2 server
                            && (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) == SslPolicyErrors.None
                            && BuildChain(server, ca, out _),
                    },
                    timeout.Token);

                // With TLS 1.3 the server checks the client certificate after the client has finished its side of
                // the handshake, so a rejection only shows up on the first read.
                byte[] ping = [42];
                await ssl.WriteAsync(ping, timeout.Token);
                var buffer = new byte[1];
                await ssl.ReadExactlyAsync(buffer, timeout.Token);
                return null;
            }
            catch (Exception exception) when (exception is AuthenticationException or IOException)
            {
                return exception;
            }
        }

        var server = RunServerAsync();
        var client = RunClientAsync();
        var serverError = await server;
        var clientError = await client;
        return new HandshakeResult(serverError, clientError, serverAccepted ?? false, seenThumbprint);
    }

    private static bool BuildChain(X509Certificate2 certificate, X509Certificate2 ca, out X509ChainStatusFlags[] status)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.DisableCertificateDownloads = true;
        var built = chain.Build(certificate);
        status = [.. chain.ChainStatus.Select(s => s.Status)];
        return built;
    }

    private static List<string> EnhancedKeyUsages(X509Certificate2 certificate) =>
    [
        .. certificate.Extensions.OfType<X509EnhancedKeyUsageExtension>()
            .SelectMany(extension => extension.EnhancedKeyUsages.Cast<Oid>())
            .Select(oid => oid.Value!),
    ];

    private static X509Certificate2 LoadCertificate(string path) => X509CertificateLoader.LoadCertificateFromFile(path);

    private static List<string> Thumbprints(SandboxPkiFiles files) =>
    [
        .. files.Pairs.Select(pair =>
        {
            using var certificate = LoadCertificate(pair.Certificate);
            return certificate.Thumbprint;
        }),
    ];

    private static DateTimeOffset ToUtc(DateTime local) => new(local);

    private sealed record HandshakeResult(
        Exception? ServerError, Exception? ClientError, bool ServerAcceptedClient, string? ClientThumbprintSeenByServer);

    private sealed class FixedTimeProvider(DateTimeOffset utcNow) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => utcNow;
    }
}
