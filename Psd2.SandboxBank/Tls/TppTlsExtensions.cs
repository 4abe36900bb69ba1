using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.Options;

namespace Psd2.SandboxBank.Tls;

public static class TppTlsExtensions
{
    /// <summary>Paths under which a TPP must present its QWAC.</summary>
    public static readonly PathString TppApi = "/v1";

    public static void AddTppTls(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<TppTlsOptions>()
            .BindConfiguration(TppTlsOptions.Section)
            .ValidateDataAnnotations()
            .Validate(o => File.Exists(o.TrustedCaPath), "SandboxBank:Tls:TrustedCaPath must name an existing PEM file.")
            .ValidateOnStart();
        builder.Services.AddSingleton<TppCertificateValidator>();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.ConfigureHttpsDefaults(https =>
        {
            // The TLS layer only proves the client holds the key of the certificate it sent; the chain,
            // validity and PSD2 role are judged per request, so a TPP gets a Berlin Group error body
            // (CERTIFICATE_INVALID, ...) instead of a bare handshake failure.
            https.ClientCertificateValidation = (_, _, _) => true;
        }));
    }

    public static void UseTppCertificates(this WebApplication app)
    {
        var validator = app.Services.GetRequiredService<TppCertificateValidator>();
        app.UseWhen(context => context.Request.Path.StartsWithSegments(TppApi), tpp => tpp.Use(async (context, next) =>
        {
            var certificate = await context.Connection.GetClientCertificateAsync(context.RequestAborted);
            if (validator.Validate(certificate) is { } error)
            {
                await TppMessages.WriteAsync(context, StatusCodes.Status401Unauthorized, error.Code, error.Text);
                return;
            }

            await next(context);
        }));
    }
}

/// <summary>Checks a TPP's certificate against the sandbox QTSP root: present, chains, in its validity window.</summary>
public sealed class TppCertificateValidator(IOptions<TppTlsOptions> options, TimeProvider time)
{
    private readonly X509Certificate2 _trustedCa = X509Certificate2.CreateFromPem(File.ReadAllText(options.Value.TrustedCaPath));

    public CertificateError? Validate(X509Certificate2? certificate)
    {
        if (certificate is null)
        {
            return new("CERTIFICATE_MISSING", "A QWAC must be presented as TLS client certificate.");
        }

        var now = time.GetUtcNow().UtcDateTime;
        if (now < certificate.NotBefore.ToUniversalTime() || now > certificate.NotAfter.ToUniversalTime())
        {
            return new("CERTIFICATE_EXPIRED", "The certificate is not valid at this time.");
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(_trustedCa);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationTime = now;
        return chain.Build(certificate)
            ? null
            : new("CERTIFICATE_INVALID", "The certificate is not issued by a QTSP this bank trusts.");
    }
}

public sealed record CertificateError(string Code, string Text);
