using System.ComponentModel.DataAnnotations;

namespace Psd2.Core.Banking;

/// <summary>The platform's identity towards banks: its QWAC for mutual TLS, its QSealC for signatures, the CA it trusts.</summary>
public sealed class TppOptions
{
    public const string Section = "Tpp";

    [Required] public string QwacCertificatePath { get; set; } = "";
    [Required] public string QwacKeyPath { get; set; } = "";
    [Required] public string QsealCertificatePath { get; set; } = "";
    [Required] public string QsealKeyPath { get; set; } = "";

    /// <summary>
    /// Where banks fetch the QSealC (PEM) from, ending in <c>_&lt;SHA-256 fingerprint in hex&gt;.pem</c>: the keyId of STET
    /// signatures. Only STET banks need it; the platform cannot sign STET requests without it.
    /// </summary>
    public string? QsealCertificateUrl { get; set; }

    /// <summary>The QTSP root the banks' TLS certificates chain to (the sandbox's; empty means the system store).</summary>
    public string? TrustedCaPath { get; set; }
}
