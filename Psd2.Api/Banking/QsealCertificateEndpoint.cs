using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Psd2.Core.Banking;

namespace Psd2.Api.Banking;

/// <summary>
/// Publishes the platform's QSealC where STET banks fetch it: the keyId of a STET signature is this URL, ending in the
/// certificate's SHA-256 fingerprint (<c>Tpp:QsealCertificateUrl</c>). Only the certificate is served, never its key.
/// </summary>
public static class QsealCertificateEndpoint
{
    public const string PathPrefix = "/tpp/certificates/qsealc_";

    public static void MapQsealCertificate(this IEndpointRouteBuilder app) =>
        app.MapGet(PathPrefix + "{fingerprint}.pem", Handle)
            .AllowAnonymous()
            .WithTags("Banking")
            .WithName("QsealCertificate")
            .WithSummary("The platform's QSealC in PEM, under its SHA-256 fingerprint")
            .ExcludeFromDescription();

    private static Results<ContentHttpResult, NotFound> Handle(string fingerprint, IOptions<TppOptions> tpp)
    {
        // Read on each call: banks fetch it once per certificate, and a renewed certificate is served without a restart.
        using var certificate = X509Certificate2.CreateFromPem(File.ReadAllText(tpp.Value.QsealCertificatePath));
        var actual = Convert.ToHexStringLower(SHA256.HashData(certificate.RawData));
        return string.Equals(fingerprint, actual, StringComparison.OrdinalIgnoreCase)
            ? TypedResults.Text(certificate.ExportCertificatePem() + "\n", "application/x-pem-file")
            : TypedResults.NotFound();
    }
}
