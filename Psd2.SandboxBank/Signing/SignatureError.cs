namespace Psd2.SandboxBank.Signing;

/// <summary>Why a request's signature was refused: a Berlin Group message code and a text naming the failed check.</summary>
/// <param name="Code"><see cref="SignatureMissing"/> or <see cref="SignatureInvalid"/>.</param>
/// <param name="Text">Which check failed; never echoes header values or key material.</param>
public sealed record SignatureError(string Code, string Text)
{
    /// <summary>A signature the bank requires was not sent (Digest, Signature or TPP-Signature-Certificate absent).</summary>
    public const string SignatureMissing = "SIGNATURE_MISSING";

    /// <summary>A signature was sent but does not hold up.</summary>
    public const string SignatureInvalid = "SIGNATURE_INVALID";

    internal static SignatureError Missing(string text) => new(SignatureMissing, text);

    internal static SignatureError Invalid(string text) => new(SignatureInvalid, text);
}
