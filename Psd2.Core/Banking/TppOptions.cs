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

    /// <summary>The QTSP root the banks' TLS certificates chain to (the sandbox's; empty means the system store).</summary>
    public string? TrustedCaPath { get; set; }
}
