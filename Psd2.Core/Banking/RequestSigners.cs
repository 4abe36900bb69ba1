using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Psd2.Core.Banking;

/// <summary>The platform's signatures towards banks, all made with its QSealC (loaded once): the QWAC only ever serves TLS.</summary>
public sealed class RequestSigners
{
    private readonly Lazy<X509Certificate2> _qsealC;
    private readonly Lazy<HttpMessageSigner> _httpSignature;
    private readonly Lazy<HttpMessageSigner> _stetSignature;
    private readonly Lazy<SigningCredentials> _jws;

    public RequestSigners(IOptions<TppOptions> tpp, TimeProvider time)
        : this(new Lazy<X509Certificate2>(() => X509Certificate2.CreateFromPemFile(tpp.Value.QsealCertificatePath, tpp.Value.QsealKeyPath)),
            tpp.Value.QsealCertificateUrl, time)
    {
    }

    /// <param name="qsealC">The QSealC with its RSA private key; not disposed here.</param>
    /// <param name="qsealCertificateUrl">Where banks fetch the QSealC from: the keyId of STET signatures.</param>
    public RequestSigners(X509Certificate2 qsealC, TimeProvider time, string? qsealCertificateUrl = null)
        : this(new Lazy<X509Certificate2>(qsealC), qsealCertificateUrl, time)
    {
    }

    private RequestSigners(Lazy<X509Certificate2> qsealC, string? qsealCertificateUrl, TimeProvider time)
    {
        _qsealC = qsealC;
        _httpSignature = new(() => new HttpMessageSigner(_qsealC.Value, time));
        _stetSignature = new(() => HttpMessageSigner.ForStet(_qsealC.Value, qsealCertificateUrl, time));
        _jws = new(() => new SigningCredentials(new X509SecurityKey(_qsealC.Value), SecurityAlgorithms.RsaSsaPssSha256));
    }

    /// <summary>Berlin Group's HTTP signature (draft-cavage, rsa-sha256).</summary>
    public HttpMessageSigner HttpSignature => _httpSignature.Value;

    /// <summary>
    /// STET's HTTP signature (draft-cavage, rsa-sha256, over <c>(request-target)</c>), its keyId the URL of the QSealC
    /// (<c>Tpp:QsealCertificateUrl</c>); signing throws when that is not set.
    /// </summary>
    public HttpMessageSigner StetSignature => _stetSignature.Value;

    /// <summary>
    /// A JWS over the claims, PS256 with the QSealC and the certificate in <c>x5c</c> so the bank can check what it
    /// certifies: UK Open Banking's signed request objects (JAR, RFC 9101).
    /// </summary>
    public string Jws(string type, IDictionary<string, object> claims, DateTimeOffset notBefore, DateTimeOffset expires) =>
        new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(new SecurityTokenDescriptor
        {
            Claims = claims,
            NotBefore = notBefore.UtcDateTime,
            Expires = expires.UtcDateTime,
            TokenType = type,
            SigningCredentials = _jws.Value,
            AdditionalHeaderClaims = new Dictionary<string, object> { ["x5c"] = new[] { Convert.ToBase64String(_qsealC.Value.RawData) } },
        });
}
