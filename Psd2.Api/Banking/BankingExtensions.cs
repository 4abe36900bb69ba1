using Psd2.Core.Banking;

namespace Psd2.Api.Banking;

public static class BankingExtensions
{
    /// <summary>The way to banks every platform service has (<see cref="BankAccessExtensions.AddBankAccess"/>), and the api's own address.</summary>
    public static void AddBanking(this WebApplicationBuilder builder)
    {
        builder.AddBankAccess();
        builder.Services.AddOptions<ApiOptions>().BindConfiguration(ApiOptions.Section).ValidateDataAnnotations().ValidateOnStart();
    }
}
