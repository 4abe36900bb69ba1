using System.ComponentModel.DataAnnotations;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.Memory;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Psd2.Core.Security;

namespace Psd2.Core.Banking;

/// <summary>What every platform service that talks to banks registers: the institutions on offer, the mutual-TLS client (the platform's QWAC), its QSealC signatures, and encryption for the tokens banks issue.</summary>
public static class BankAccessExtensions
{
    /// <summary>
    /// The institutions on offer: <c>Banking/institutions.json</c> (built in), below every other configuration source, so
    /// appsettings, the environment and the command line can change or add banks.
    /// </summary>
    public static void AddInstitutionOptions(this IHostApplicationBuilder builder)
    {
        using var json = typeof(BankAccessExtensions).Assembly.GetManifestResourceStream("institutions.json")!;
        // Read once into memory: a stream source cannot be loaded again when the sources are rebuilt.
        builder.Configuration.Sources.Insert(0, new MemoryConfigurationSource { InitialData = new ConfigurationBuilder().AddJsonStream(json).Build().AsEnumerable() });
        builder.Services.AddOptions<InstitutionOptions>().BindConfiguration(InstitutionOptions.Section)
            .Validate(o => o.Banks.Count > 0 && o.Banks.Values.All(b => Validator.TryValidateObject(b, new ValidationContext(b), null, true)
                    && InstitutionStandard.All.Contains(b.Standard)),
                $"Institutions:Banks must list at least one bank, each with name, standard ({string.Join(", ", InstitutionStandard.All)}), SCA approaches, maximum consent and history days and service.")
            .ValidateOnStart();
    }

    public static void AddBankAccess(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<TppOptions>().BindConfiguration(TppOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddTokenProtection();
        builder.Services.AddHttpClient(BankClients.BankClient).ConfigurePrimaryHttpMessageHandler(services => Handler(services, withQwac: true));
        builder.Services.AddHttpClient(BankClients.PublicBankClient).ConfigurePrimaryHttpMessageHandler(services => Handler(services, withQwac: false));
        builder.Services.AddSingleton(services => TppIdentity.FromQwac(services.GetRequiredService<IOptions<TppOptions>>().Value.QwacCertificatePath));
        builder.Services.AddSingleton(services => new RequestSigners(services.GetRequiredService<IOptions<TppOptions>>(), services.GetRequiredService<TimeProvider>()));
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
