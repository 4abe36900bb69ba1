using System.Net.Http.Headers;
using Microsoft.Extensions.DependencyInjection;
using Psd2.Core.Accounts;
using Psd2.Core.ClientApps;
using Psd2.Core.Persistence;
using Psd2.Core.Users;

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

    /// <summary>A user of this app with one account at <paramref name="institutionId"/>, written to psd2db as a first sync leaves them.</summary>
    public async Task<Account> AddAccountAsync(InProcessApi api, string institutionId)
    {
        var now = DateTimeOffset.UtcNow;
        var user = new EndUser { Id = Guid.NewGuid(), ClientAppId = Id, ExternalReference = "u-" + Guid.NewGuid().ToString("N")[..8], CreatedAt = now };
        var account = new Account
        {
            Id = Guid.NewGuid(), ClientAppId = Id, UserId = user.Id, InstitutionId = institutionId, BankResourceId = "acc-1",
            Iban = "SE4550000000058398257466", Currency = "SEK", CreatedAt = now, UpdatedAt = now,
        };
        await using var scope = api.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<Psd2DbContext>();
        db.Users.Add(user);
        db.Accounts.Add(account);
        await db.SaveChangesAsync();
        return account;
    }

    public void Dispose() => Api.Dispose();
}
