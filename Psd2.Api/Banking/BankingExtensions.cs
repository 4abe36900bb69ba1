using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Options;
using Psd2.Core.Banking;
using Psd2.Core.Security;

namespace Psd2.Api.Banking;

public static class BankingExtensions
{
    /// <summary>The mutual-TLS client towards banks (the platform's QWAC), and encryption for the tokens they issue.</summary>
    public static void AddBanking(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<TppOptions>().BindConfiguration(TppOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddTokenProtection();
        builder.Services.AddSingleton(services => TppIdentity.FromQwac(services.GetRequiredService<IOptions<TppOptions>>().Value.QwacCertificatePath));
        builder.Services.AddOptions<ApiOptions>().BindConfiguration(ApiOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddHttpClient(BankClients.BankClient).ConfigurePrimaryHttpMessageHandler(services => Handler(services, withQwac: true));
        builder.Services.AddHttpClient(BankClients.PublicBankClient).ConfigurePrimaryHttpMessageHandler(services => Handler(services, withQwac: false));
        builder.Services.AddSingleton<BankClients>();
    }

    private static SocketsHttpHandler Handler(IServiceProvider services, bool withQwac)
    {
        var tpp = services.GetRequiredService<IOptions<TppOptions>>().Value;
        var handler = new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) };
        if (withQwac)
        {
            handler.SslOptions.ClientCertificates = [X509Certificate2.CreateFromPemFile(tpp.QwacCertificatePath, tpp.QwacKeyPath)];
        }

        if (!string.IsNullOrEmpty(tpp.TrustedCaPath))
        {
            handler.SslOptions.CertificateChainPolicy = new X509ChainPolicy
            {
                TrustMode = X509ChainTrustMode.CustomRootTrust,
                CustomTrustStore = { X509Certificate2.CreateFromPem(File.ReadAllText(tpp.TrustedCaPath)) },
                RevocationMode = X509RevocationMode.NoCheck,
            };
        }

        return handler;
    }
}

/// <summary>The platform as banks know it: the organizationIdentifier of its QWAC, which is its OAuth client_id.</summary>
public sealed record TppIdentity(string OrganizationId)
{
    public static TppIdentity FromQwac(string certificatePath)
    {
        using var qwac = X509Certificate2.CreateFromPem(File.ReadAllText(certificatePath));
        var organizationId = qwac.SubjectName.EnumerateRelativeDistinguishedNames()
            .FirstOrDefault(n => n.GetSingleElementType().Value == "2.5.4.97")?.GetSingleElementValue();
        return new TppIdentity(organizationId ?? throw new InvalidOperationException("The QWAC has no organizationIdentifier (2.5.4.97)."));
    }
}
