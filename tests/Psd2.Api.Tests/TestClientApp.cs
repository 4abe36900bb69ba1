using System.Net.Http.Headers;
using Microsoft.Extensions.DependencyInjection;
using Psd2.Core.ClientApps;
using Psd2.Core.Persistence;

namespace Psd2.Api.Tests;

/// <summary>A client app with one key, written to psd2db as <c>clientapps create</c> does, and an HttpClient carrying the key.</summary>
public sealed record TestClientApp(Guid Id, HttpClient Api) : IDisposable
{
    public static async Task<TestClientApp> CreateAsync(InProcessApi api)
    {
        var (key, prefix, hash) = ApiKeyFormat.Generate();
        var app = new ClientApp { Id = Guid.NewGuid(), Name = "in-process " + prefix, RedirectUris = ["https://client.example/return"], CreatedAt = DateTimeOffset.UtcNow };
        using (var scope = api.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<Psd2DbContext>();
            db.ClientApps.Add(app);
            db.ApiKeys.Add(new ApiKey { Id = Guid.NewGuid(), ClientAppId = app.Id, Prefix = prefix, SecretHash = hash, CreatedAt = app.CreatedAt });
            await db.SaveChangesAsync();
        }

        var client = api.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return new TestClientApp(app.Id, client);
    }

    public void Dispose() => Api.Dispose();
}
