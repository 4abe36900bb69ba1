using System.Text.Json.Serialization;
using Microsoft.Extensions.Options;
using Psd2.SandboxBank.Accounts;
using Psd2.SandboxBank.BerlinGroup;
using Psd2.SandboxBank.Consents;
using Psd2.SandboxBank.Data;
using Psd2.SandboxBank.Infrastructure;
using Psd2.SandboxBank.OAuth;
using Psd2.SandboxBank.Payments;
using Psd2.SandboxBank.Psus;
using Psd2.SandboxBank.Sandbox;
using Psd2.SandboxBank.Sca;
using Psd2.SandboxBank.Signing;
using Psd2.SandboxBank.Stet;
using Psd2.SandboxBank.Time;
using Psd2.SandboxBank.Tls;
using Psd2.SandboxBank.UkOpenBanking;

namespace Psd2.SandboxBank;

public static class BankServices
{
    /// <summary>The bank's options, stores and services; <paramref name="runtimeSettings"/> is the layer the sandbox controls write.</summary>
    public static void AddSandboxBank(this WebApplicationBuilder builder)
    {
        var runtimeSettings = new RuntimeSettings();
        ((IConfigurationBuilder)builder.Configuration).Add(runtimeSettings);

        var services = builder.Services;
        services.AddSingleton(runtimeSettings);
        services.AddOptions<BankOptions>().BindConfiguration(BankOptions.Section).ValidateDataAnnotations()
            .Validate(o => TimeZoneInfo.TryFindSystemTimeZoneById(o.TimeZone, out _), "SandboxBank:TimeZone must name a known time zone.")
            .Validate(o => BankStandard.IsKnown(o.Standard), $"SandboxBank:Standard must be {BankStandard.BerlinGroup}, {BankStandard.UkOpenBanking} or {BankStandard.Stet}.")
            .Validate(o => BankCountry.Find(o.Country) is not null,
                $"SandboxBank:Country must be {string.Join(", ", BankCountry.All.Select(c => c.Code))}.")
            .Validate(o => o.Standard != BankStandard.Stet || o.RedirectUris.Count > 0,
                "SandboxBank:RedirectUris must list the TPPs' registered redirect URIs: a STET authorisation request names no consent to check them against.")
            .ValidateOnStart();
        services.AddOptions<SandboxOptions>().BindConfiguration(SandboxOptions.Section);
        services.AddOptions<FaultOptions>().BindConfiguration(FaultOptions.Section);

        services.AddSingleton<BankClock>();
        services.AddSingleton(sp => BankCountry.Of(sp.GetRequiredService<IOptions<BankOptions>>().Value.Country));
        services.AddSingleton<PsuDirectory>();
        services.AddSingleton<PsuSessions>();
        services.AddSingleton<ConsentStore>();
        services.AddSingleton<LoginStore>();
        services.AddSingleton<TokenStore>();
        services.AddSingleton<AccessCounter>();
        services.AddSingleton<AisAccess>();
        services.AddSingleton<ScaService>();
        services.AddSingleton<PageKeys>();
        services.AddSingleton(sp => new TransactionGenerator(stored: sp.GetRequiredService<PaymentBookings>()));
        services.AddSingleton<AccountViews>();
        services.AddSingleton(sp => new HttpSignatureVerifier(sp.GetRequiredService<TppCertificateValidator>().TrustedCa, TimeProvider.System));
        services.AddHostedService<BankStartup>();
        services.AddPayments();           // after BankStartup: its bookings are read from the migrated database

        services.AddTppErrorHandling();
        services.AddUkOpenBanking();
        services.AddStet();
        services.AddRazorComponents();
        services.ConfigureHttpJsonOptions(json =>
        {
            json.SerializerOptions.TypeInfoResolverChain.Insert(0, BankJson.Default);
            json.SerializerOptions.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;
            json.SerializerOptions.Converters.Add(new JsonStringEnumConverter());
        });
    }
}
