using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Options;

namespace Psd2.Core.Banking;

/// <summary>The platform's signatures on requests to banks that require them, all made with its QSealC (loaded once).</summary>
public sealed class RequestSigners(IOptions<TppOptions> tpp, TimeProvider time)
{
    private readonly Lazy<HttpMessageSigner> _httpSignature = new(() => new HttpMessageSigner(
        X509Certificate2.CreateFromPemFile(tpp.Value.QsealCertificatePath, tpp.Value.QsealKeyPath), time));

    /// <summary>Berlin Group's HTTP signature (draft-cavage, rsa-sha256).</summary>
    public HttpMessageSigner HttpSignature => _httpSignature.Value;
}
