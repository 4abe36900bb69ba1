using System.Security.Cryptography.X509Certificates;
using Psd2.Core.Banking;

namespace Psd2.SandboxBank.Tests.Stet;

/// <summary>Signs a STET request with the platform's own signer: the TPP's QSealC, keyId the URL it is published at.</summary>
public static class StetSigning
{
    /// <summary>Whether the tests sign (and the bank requires signatures).</summary>
    public const bool Signs = true;

    public static Task SignAsync(HttpRequestMessage request, X509Certificate2 qsealC, string keyId, CancellationToken cancellationToken) =>
        HttpMessageSigner.ForStet(qsealC, keyId, TimeProvider.System).SignAsync(request, cancellationToken);
}
