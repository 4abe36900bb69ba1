using System.Security.Cryptography;

namespace Psd2.SandboxBank.Tls;

/// <summary>
/// Certificate-bound access tokens (RFC 8705): a token remembers the SHA-256 of the certificate it was issued over
/// and is honoured only over a connection presenting the same one, so a leaked token is useless without the key.
/// </summary>
public static class CertificateBinding
{
    /// <summary>The SHA-256 of the DER of the connection's client certificate; null when none was presented.</summary>
    public static byte[]? ThumbprintOf(HttpContext context) =>
        context.Connection.ClientCertificate is { } certificate ? SHA256.HashData(certificate.RawData) : null;

    public static bool Matches(byte[]? bound, HttpContext context) =>
        bound is not null && ThumbprintOf(context) is { } presented && CryptographicOperations.FixedTimeEquals(bound, presented);
}
