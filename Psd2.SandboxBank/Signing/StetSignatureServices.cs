using Psd2.SandboxBank.Tls;

namespace Psd2.SandboxBank.Signing;

public static class StetSignatureServices
{
    /// <summary>The STET signature verifier, trusting the QTSP the TLS client certificates chain to.</summary>
    public static IServiceCollection AddStetSignatures(this IServiceCollection services)
    {
        services.AddSingleton(sp => new StetSignatureVerifier(sp.GetRequiredService<TppCertificateValidator>().TrustedCa, TimeProvider.System));
        return services;
    }
}
