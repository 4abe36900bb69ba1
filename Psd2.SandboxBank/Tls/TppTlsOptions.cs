using System.ComponentModel.DataAnnotations;

namespace Psd2.SandboxBank.Tls;

/// <summary>Where the bank finds the sandbox QTSP's root certificate that TPP certificates must chain to.</summary>
public sealed class TppTlsOptions
{
    public const string Section = "SandboxBank:Tls";

    [Required]
    public string TrustedCaPath { get; set; } = "";
}
