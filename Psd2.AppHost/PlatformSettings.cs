namespace Psd2.AppHost;

/// <summary>What api and worker are told beyond connection strings.</summary>
internal static class PlatformSettings
{
    /// <summary>The platform's identity towards banks: its QWAC for mutual TLS, its QSealC for signatures, and the CA it trusts.</summary>
    public static IResourceBuilder<ServiceResource> WithTppCertificates(this IResourceBuilder<ServiceResource> service, StateFolder state) => service
        .WithEnvironment("Tpp__QwacCertificatePath", state.Pki.TppQwacCertificate)
        .WithEnvironment("Tpp__QwacKeyPath", state.Pki.TppQwacKey)
        .WithEnvironment("Tpp__QsealCertificatePath", state.Pki.TppQsealCertificate)
        .WithEnvironment("Tpp__QsealKeyPath", state.Pki.TppQsealKey)
        .WithEnvironment("Tpp__TrustedCaPath", state.Pki.CaCertificate);

    /// <summary>The key bank tokens are encrypted with at rest, the same for api and worker, kept across runs.</summary>
    public static IResourceBuilder<ServiceResource> WithTokenEncryptionKey(this IResourceBuilder<ServiceResource> service, IResourceBuilder<ParameterResource> key) =>
        service.WithEnvironment("Tokens__EncryptionKey", key);
}
