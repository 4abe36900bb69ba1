using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.StackExchangeRedis;
using StackExchange.Redis;

namespace Psd2.Api.Connect;

public static class ConnectExtensions
{
    /// <summary>Where the data-protection key ring lives in Redis (a list of key XML elements).</summary>
    private const string KeyRingKey = "psd2:data-protection-keys";

    /// <summary>Connect links and sessions in Redis, the Razor pages, and the key ring their antiforgery tokens need.</summary>
    public static void AddConnectPages(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<ConnectLinks>();
        builder.Services.AddSingleton<ConnectSessions>();
        builder.Services.AddRazorComponents();
        // The key ring signs the Connect form's antiforgery tokens. Kept in Redis, on the connection Aspire registered:
        // a form one api replica renders is accepted by another, and a restart does not invalidate forms open in browsers.
        builder.Services.AddDataProtection().SetApplicationName("Psd2.Api");
        builder.Services.AddOptions<KeyManagementOptions>()
            .Configure<IConnectionMultiplexer>((options, redis) =>
                options.XmlRepository = new RedisXmlRepository(() => redis.GetDatabase(), KeyRingKey));
    }
}
