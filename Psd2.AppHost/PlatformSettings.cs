using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Psd2.AppHost;

/// <summary>What api and worker are told beyond connection strings.</summary>
internal static class PlatformSettings
{
    /// <summary>
    /// The platform's identity towards banks: its QWAC for mutual TLS, its QSealC for signatures, the CA it trusts, and
    /// the URL on the api where STET banks fetch the QSealC (named by its fingerprint, the keyId of STET signatures).
    /// </summary>
    public static IResourceBuilder<ServiceResource> WithTppCertificates(
        this IResourceBuilder<ServiceResource> service, StateFolder state, EndpointReference api) => service
        .WithEnvironment("Tpp__QwacCertificatePath", state.Pki.TppQwacCertificate)
        .WithEnvironment("Tpp__QwacKeyPath", state.Pki.TppQwacKey)
        .WithEnvironment("Tpp__QsealCertificatePath", state.Pki.TppQsealCertificate)
        .WithEnvironment("Tpp__QsealKeyPath", state.Pki.TppQsealKey)
        .WithEnvironment("Tpp__TrustedCaPath", state.Pki.CaCertificate)
        // Served by the api's QsealCertificateEndpoint.
        .WithEnvironment("Tpp__QsealCertificateUrl",
            ReferenceExpression.Create($"{api}/tpp/certificates/qsealc_{Fingerprint(state.Pki.TppQsealCertificate)}.pem"));

    // The PKI files exist once the state folder is open, before any resource starts.
    private static string Fingerprint(string certificatePemPath)
    {
        using var certificate = X509Certificate2.CreateFromPem(File.ReadAllText(certificatePemPath));
        return Convert.ToHexStringLower(SHA256.HashData(certificate.RawData));
    }

    /// <summary>The key bank tokens are encrypted with at rest, the same for api and worker, kept across runs.</summary>
    public static IResourceBuilder<ServiceResource> WithTokenEncryptionKey(this IResourceBuilder<ServiceResource> service, IResourceBuilder<ParameterResource> key) =>
        service.WithEnvironment("Tokens__EncryptionKey", key);
}
