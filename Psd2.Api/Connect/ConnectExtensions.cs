using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using StackExchange.Redis;

namespace Psd2.Api.Connect;

public static class ConnectExtensions
{
    /// <summary>Connect links and sessions in Redis, the Razor pages, and the key ring their antiforgery tokens need.</summary>
    public static void AddConnectPages(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<ConnectLinks>();
        builder.Services.AddSingleton<ConnectSessions>();
        builder.Services.AddRazorComponents();
        builder.Services.AddDataProtection().SetApplicationName("Psd2.Api");
        builder.Services.AddOptions<KeyManagementOptions>()
            .Configure<IConnectionMultiplexer>((options, redis) => options.XmlRepository = new RedisKeyRing(redis));
    }
}
