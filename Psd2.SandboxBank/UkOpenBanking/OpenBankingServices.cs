namespace Psd2.SandboxBank.UkOpenBanking;

/// <summary>The UK Open Banking dialect: its services, and its HTTP surface mapped in place of the Berlin Group one.</summary>
public static class OpenBankingServices
{
    public static void AddUkOpenBanking(this IServiceCollection services)
    {
        services.AddSingleton<RequestObjects>();
        services.AddSingleton<OpenBankingAccess>();
        services.AddSingleton<OpenBankingViews>();
        services.AddOpenBankingErrorHandling();
    }

    public static void MapUkOpenBankingApi(this IEndpointRouteBuilder app)
    {
        app.MapOpenIdConfiguration();
        app.MapAccountAccessConsentsApi();
        app.MapAccountInformationApi();
    }
}
