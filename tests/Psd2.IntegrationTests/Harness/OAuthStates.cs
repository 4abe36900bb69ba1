using System.Text.Json;
using StackExchange.Redis;

namespace Psd2.IntegrationTests.Harness;

/// <summary>The api's pending redirect authorisations in Redis (<c>psd2:oauth-state:&lt;state&gt;</c>), read as the callback will read them.</summary>
internal static class OAuthStates
{
    public const string KeyPrefix = "psd2:oauth-state:";

    /// <summary>The PKCE verifier kept for a state; null once the callback has taken it (or for a state never issued).</summary>
    public static async Task<string?> CodeVerifierAsync(TestApp app, string state)
    {
        using var redis = await ConnectionMultiplexer.ConnectAsync(app.GetConnectionString("redis"));
        var value = await redis.GetDatabase().StringGetAsync(KeyPrefix + state);
        return value.IsNull ? null : JsonDocument.Parse((string)value!).RootElement.GetProperty("CodeVerifier").GetString();
    }
}
