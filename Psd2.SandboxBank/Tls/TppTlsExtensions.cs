using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.Extensions.Options;
using Psd2.SandboxBank.BerlinGroup;

namespace Psd2.SandboxBank.Tls;

public static class TppTlsExtensions
{
    /// <summary>Paths under which a TPP must present its QWAC: the Berlin Group, UK Open Banking and STET APIs and the OAuth token and revocation endpoints.</summary>
    public static bool RequiresQwac(PathString path) =>
        path.StartsWithSegments("/v1") || path.StartsWithSegments(UkOpenBanking.OpenBankingPaths.Base) || path.StartsWithSegments(Stet.StetPaths.Base)
        || path.StartsWithSegments("/oauth2/token") || path.StartsWithSegments("/oauth2/revoke");

    /// <summary>The TPP that presented the request's certificate; set for every request under <see cref="RequiresQwac"/>.</summary>
    public static TppIdentity Tpp(this HttpContext context) =>
        context.Features.Get<TppIdentity>() ?? throw new InvalidOperationException("No TPP certificate was validated for this request.");

    /// <summary>
    /// The PSD2 role a path needs: PSP_PI for payment initiation (/v1/payments), PSP_AI for account information, either
    /// at the token endpoint (a payment's code and a consent's code are both redeemed there).
    /// </summary>
    public static TppError? RoleError(TppIdentity identity, PathString path)
    {
        if (path.StartsWithSegments("/v1/payments"))
        {
            return identity.Roles.Contains(TppIdentity.PaymentInitiation)
                ? null
                : new TppError(StatusCodes.Status401Unauthorized, "ROLE_INVALID", "The certificate does not carry the PSP_PI role payment initiation requires.");
        }

        if (path.StartsWithSegments("/oauth2/token") && identity.Roles.Contains(TppIdentity.PaymentInitiation))
        {
            return null;
        }

        return identity.Roles.Contains(TppIdentity.AccountInformation)
            ? null
            : new TppError(StatusCodes.Status401Unauthorized, "ROLE_INVALID", "The certificate does not carry the PSP_AI role this service requires.");
    }

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
        app.UseWhen(context => RequiresQwac(context.Request.Path), tpp => tpp.Use(async (context, next) =>
        {
            // A connection's certificate does not change, so its verdict is kept with the connection: the chain is
            // built once per TLS connection, not once per request. Validity is still judged on every request.
            var certificate = await context.Connection.GetClientCertificateAsync(context.RequestAborted);
            var connectionItems = context.Features.Get<IConnectionItemsFeature>()?.Items;
            var identity = connectionItems is not null && connectionItems.TryGetValue(typeof(TppIdentity), out var known) ? known as TppIdentity : null;
            if (identity is null || !validator.IsCurrent(certificate))
            {
                (identity, var error) = validator.Validate(certificate);
                if (error is not null)
                {
                    await error.ExecuteAsync(context);
                    return;
                }

                connectionItems?[typeof(TppIdentity)] = identity;
            }

            // The connection's certificate is judged once, its role per request: one QWAC may serve AIS and PIS calls.
            if (RoleError(identity!, context.Request.Path) is { } roleError)
            {
                await roleError.ExecuteAsync(context);
                return;
            }

            context.Features.Set(identity);
            await next(context);
        }));
    }
}

/// <summary>
/// Checks a TPP's certificate against the sandbox QTSP root: present, chains, in its validity window (by real time,
/// not the bank's test clock), a website certificate with an organizationIdentifier. The PSD2 role each path needs
/// is checked per request (<see cref="TppTlsExtensions.RoleError"/>).
/// </summary>
public sealed class TppCertificateValidator(IOptions<TppTlsOptions> options, TimeProvider realTime)
{
    private readonly X509Certificate2 _trustedCa = X509Certificate2.CreateFromPem(File.ReadAllText(options.Value.TrustedCaPath));

    public X509Certificate2 TrustedCa => _trustedCa;

    /// <summary>Whether the certificate chains to the sandbox QTSP's root at this real instant.</summary>
    public bool ChainsToTrustedCa(X509Certificate2 certificate)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(_trustedCa);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        // Never fetch issuers named in a certificate the caller sent: that would let any request make the bank call out.
        chain.ChainPolicy.DisableCertificateDownloads = true;
        chain.ChainPolicy.VerificationTime = realTime.GetUtcNow().UtcDateTime;
        try
        {
            return chain.Build(certificate);
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    public (TppIdentity? Identity, TppError? Error) Validate(X509Certificate2? certificate)
    {
        if (certificate is null)
        {
            return (null, Unauthorized("CERTIFICATE_MISSING", "A QWAC must be presented as TLS client certificate."));
        }

        if (!IsCurrent(certificate))
        {
            return (null, Unauthorized("CERTIFICATE_EXPIRED", "The certificate is not valid at this time."));
        }

        var now = realTime.GetUtcNow().UtcDateTime;

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(_trustedCa);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationTime = now;
        if (!chain.Build(certificate))
        {
            return (null, Unauthorized("CERTIFICATE_INVALID", "The certificate is not issued by a QTSP this bank trusts."));
        }

        // ETSI TS 119 495: a website certificate authenticates TLS; a seal certificate, however valid, only signs.
        if (!TppCertificate.QcTypes(certificate).Contains(TppCertificate.QcTypeWeb))
        {
            return (null, Unauthorized("CERTIFICATE_INVALID", "The TLS client certificate is not a website certificate (QWAC)."));
        }

        var identity = TppCertificate.TryRead(certificate);
        if (identity is null)
        {
            return (null, Unauthorized("CERTIFICATE_INVALID", "The certificate has no organizationIdentifier."));
        }

        // The role is the path's business: see TppTlsExtensions.RoleError.
        return (identity, null);
    }

    /// <summary>Whether the certificate is inside its validity window now.</summary>
    public bool IsCurrent(X509Certificate2? certificate)
    {
        var now = realTime.GetUtcNow().UtcDateTime;
        return certificate is not null && now >= certificate.NotBefore.ToUniversalTime() && now <= certificate.NotAfter.ToUniversalTime();
    }

    private static TppError Unauthorized(string code, string text) => new(StatusCodes.Status401Unauthorized, code, text);
}
