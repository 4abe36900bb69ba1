using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Psd2.SandboxPki;

/// <summary>Where the sandbox PKI's PEM files live.</summary>
/// <param name="CaCertificate">The sandbox QTSP root CA certificate (trust anchor for bank and TPP).</param>
/// <param name="CaKey">The root CA's PKCS#8 key, kept so tests and tools can mint more certificates.</param>
/// <param name="BankTlsCertificate">The bank's TLS server certificate (localhost, 127.0.0.1, ::1).</param>
/// <param name="BankTlsKey">The bank's TLS server key.</param>
/// <param name="TppQwacCertificate">The sandbox TPP's QWAC (TLS client certificate).</param>
/// <param name="TppQwacKey">The sandbox TPP's QWAC key.</param>
/// <param name="TppQsealCertificate">The sandbox TPP's QSealC (HTTP message signatures).</param>
/// <param name="TppQsealKey">The sandbox TPP's QSealC key.</param>
/// <param name="TppOrganizationIdentifier">The organizationIdentifier in the TPP certificates' subject.</param>
public sealed record SandboxPkiFiles(
    string CaCertificate,
    string CaKey,
    string BankTlsCertificate,
    string BankTlsKey,
    string TppQwacCertificate,
    string TppQwacKey,
    string TppQsealCertificate,
    string TppQsealKey,
    string TppOrganizationIdentifier)
{
    /// <summary>The file paths a set in <paramref name="folder"/> has, whether or not the files exist yet.</summary>
    public static SandboxPkiFiles In(string folder)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        var full = Path.GetFullPath(folder);
        return new SandboxPkiFiles(
            Path.Combine(full, "ca.crt"),
            Path.Combine(full, "ca.key"),
            Path.Combine(full, "bank-tls.crt"),
            Path.Combine(full, "bank-tls.key"),
            Path.Combine(full, "tpp-qwac.crt"),
            Path.Combine(full, "tpp-qwac.key"),
            Path.Combine(full, "tpp-qseal.crt"),
            Path.Combine(full, "tpp-qseal.key"),
            SandboxCertificates.Tpp.OrganizationIdentifier);
    }

    /// <summary>Every certificate file with its key file, CA first.</summary>
    public IReadOnlyList<(string Certificate, string Key)> Pairs =>
    [
        (CaCertificate, CaKey),
        (BankTlsCertificate, BankTlsKey),
        (TppQwacCertificate, TppQwacKey),
        (TppQsealCertificate, TppQsealKey),
    ];
}

/// <summary>
/// The sandbox eIDAS-like PKI: a "sandbox QTSP" root CA, the bank's TLS server certificate and the sandbox
/// TPP's QWAC and QSealC, generated once into a state folder and reused while they stay valid.
/// </summary>
public static class SandboxCertificates
{
    /// <summary>A set is regenerated once any certificate in it has less than this left.</summary>
    public static readonly TimeSpan MinimumRemainingValidity = TimeSpan.FromDays(30);

    /// <summary>The sandbox TPP, authorised by the Swedish NCA for account information and payment initiation.</summary>
    public static TppIdentity Tpp { get; } = new(
        OrganizationIdentifier: "PSDSE-FINA-44059",
        OrganizationName: "Psd2 Sandbox TPP",
        CommonName: "psd2-sandbox-tpp",
        CountryCode: "SE",
        Roles: [PspRole.PspAi, PspRole.PspPi],
        NcaName: "Finansinspektionen",
        NcaId: "SE-FINA");

    /// <summary>The sandbox QTSP root CA's subject.</summary>
    public static X500DistinguishedName CaSubject { get; } = BuildName("Psd2 Sandbox QTSP Root CA", "Psd2 Sandbox QTSP");

    /// <summary>The bank TLS certificate's subject; clients match its SAN, not this.</summary>
    public static X500DistinguishedName BankTlsSubject { get; } = BuildName("localhost", "Psd2 Sandbox Bank");

    private static readonly TimeSpan CaLifetime = TimeSpan.FromDays(3652);
    private static readonly TimeSpan LeafLifetime = TimeSpan.FromDays(730);

    // Lets a peer whose clock runs a little behind accept a certificate minted a moment ago.
    private static readonly TimeSpan Backdating = TimeSpan.FromDays(1);

    private static readonly TimeSpan LockTimeout = TimeSpan.FromSeconds(60);

    private const UnixFileMode PrivateFileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>
    /// Returns the sandbox PKI in <paramref name="folder"/>, generating all of it when the folder does not hold
    /// a complete, consistent set whose certificates all stay valid for <see cref="MinimumRemainingValidity"/>.
    /// </summary>
    /// <remarks>
    /// Each file is written to a temporary name and renamed into place, so no file is ever half written.
    /// A crash between renames can leave files of two generations side by side; that mix is never taken as
    /// complete because every generation has its own CA key, so the leftover leaves fail the chain check and the
    /// whole set is regenerated. Concurrent callers (e.g. two AppHost runs) are serialised by a lock file.
    /// </remarks>
    public static SandboxPkiFiles EnsureCreated(string folder, TimeProvider? timeProvider = null)
    {
        var files = SandboxPkiFiles.In(folder);
        var now = (timeProvider ?? TimeProvider.System).GetUtcNow();
        var directory = Path.GetDirectoryName(files.CaCertificate)!;
        Directory.CreateDirectory(directory);

        using var folderLock = AcquireLock(directory);
        if (IsCompleteAndValid(files, now))
        {
            foreach (var (_, key) in files.Pairs)
            {
                // Reuse must not keep a key readable by others just because someone loosened its mode.
                RestrictToOwner(key);
            }

            return files;
        }

        Generate(files, now);
        return files;
    }

    private static void Generate(SandboxPkiFiles files, DateTimeOffset now)
    {
        var notBefore = now - Backdating;
        var leafNotAfter = now + LeafLifetime;

        using var ca = CertificateFactory.CreateRootCa(CaSubject, notBefore, now + CaLifetime);
        using var bankTls = CertificateFactory.IssueTlsServerCertificate(
            ca,
            BankTlsSubject,
            ["localhost"],
            [IPAddress.Loopback, IPAddress.IPv6Loopback],
            notBefore,
            leafNotAfter);
        using var qwac = CertificateFactory.IssueQwac(ca, Tpp, notBefore, leafNotAfter);
        using var qseal = CertificateFactory.IssueQsealC(ca, Tpp, notBefore, leafNotAfter);

        WritePair(files.CaCertificate, files.CaKey, ca);
        WritePair(files.BankTlsCertificate, files.BankTlsKey, bankTls);
        WritePair(files.TppQwacCertificate, files.TppQwacKey, qwac);
        WritePair(files.TppQsealCertificate, files.TppQsealKey, qseal);
    }

    private static void WritePair(string certificatePath, string keyPath, X509Certificate2 certificate)
    {
        WriteAtomically(keyPath, CertificateFactory.ExportPrivateKeyPem(certificate) + "\n", isPrivate: true);
        WriteAtomically(certificatePath, certificate.ExportCertificatePem() + "\n", isPrivate: false);
    }

    private static void WriteAtomically(string path, string contents, bool isPrivate)
    {
        var temporaryPath = $"{path}.{Guid.NewGuid():N}.tmp";
        var options = new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            Share = FileShare.None,
        };
        if (isPrivate && !OperatingSystem.IsWindows())
        {
            // Created 0600 rather than chmod-ed afterwards, so the key is never readable by others, even briefly.
            options.UnixCreateMode = PrivateFileMode;
        }

        try
        {
            using (var stream = new FileStream(temporaryPath, options))
            {
                stream.Write(Encoding.ASCII.GetBytes(contents));
                stream.Flush(flushToDisk: true);
            }

            if (isPrivate)
            {
                // The create mode is filtered through the umask; set it exactly.
                RestrictToOwner(temporaryPath);
            }

            File.Move(temporaryPath, path, overwrite: true);
        }
        catch
        {
            File.Delete(temporaryPath);
            throw;
        }
    }

    private static void RestrictToOwner(string path)
    {
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, PrivateFileMode);
        }
    }

    private static bool IsCompleteAndValid(SandboxPkiFiles files, DateTimeOffset now)
    {
        foreach (var (certificate, key) in files.Pairs)
        {
            if (!File.Exists(certificate) || !File.Exists(key))
            {
                return false;
            }
        }

        var loaded = new List<X509Certificate2>();
        try
        {
            // Loading each certificate with its key also proves the two belong together.
            foreach (var (certificate, key) in files.Pairs)
            {
                loaded.Add(X509Certificate2.CreateFromPemFile(certificate, key));
            }

            var ca = loaded[0];
            var qwac = loaded[2];
            var qseal = loaded[3];
            var expectedTppSubject = Tpp.ToDistinguishedName().RawData;

            return loaded.All(certificate => IsValidLongEnough(certificate, now))
                && loaded.Skip(1).All(leaf => ChainsTo(leaf, ca, now))
                // A changed sandbox identity in code must reach the files, not be masked by an old valid set.
                && qwac.SubjectName.RawData.AsSpan().SequenceEqual(expectedTppSubject)
                && qseal.SubjectName.RawData.AsSpan().SequenceEqual(expectedTppSubject);
        }
        catch (Exception exception) when (exception is CryptographicException or ArgumentException or IOException)
        {
            // Unreadable, truncated or mismatched files: the set is not usable, so it is regenerated.
            return false;
        }
        finally
        {
            foreach (var certificate in loaded)
            {
                certificate.Dispose();
            }
        }
    }

    /// <summary>A TLS chain policy that trusts the sandbox QTSP's root at <paramref name="caCertificatePath"/> and nothing else.</summary>
    public static X509ChainPolicy TrustingOnly(string caCertificatePath) => new()
    {
        TrustMode = X509ChainTrustMode.CustomRootTrust,
        CustomTrustStore = { X509Certificate2.CreateFromPem(File.ReadAllText(caCertificatePath)) },
        RevocationMode = X509RevocationMode.NoCheck,
    };

    private static bool IsValidLongEnough(X509Certificate2 certificate, DateTimeOffset now) =>
        new DateTimeOffset(certificate.NotBefore) <= now
        && new DateTimeOffset(certificate.NotAfter) - now >= MinimumRemainingValidity;

    private static bool ChainsTo(X509Certificate2 leaf, X509Certificate2 ca, DateTimeOffset now)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.DisableCertificateDownloads = true;
        chain.ChainPolicy.VerificationTime = now.UtcDateTime;
        chain.ChainPolicy.VerificationTimeIgnored = false;
        return chain.Build(leaf);
    }

    private static FileStream AcquireLock(string directory)
    {
        var lockPath = Path.Combine(directory, ".lock");
        var deadline = DateTime.UtcNow + LockTimeout;
        while (true)
        {
            try
            {
                // FileShare.None is enforced across processes on Unix too (.NET takes an advisory flock).
                return new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                Thread.Sleep(TimeSpan.FromMilliseconds(100));
            }
        }
    }

    private static X500DistinguishedName BuildName(string commonName, string organizationName)
    {
        // Calls in display order; the builder encodes them reversed, so C comes first as usual.
        var builder = new X500DistinguishedNameBuilder();
        builder.AddCommonName(commonName);
        builder.AddOrganizationName(organizationName);
        builder.AddCountryOrRegion("SE");
        return builder.Build();
    }
}
