using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Psd2.Core.Persistence;
using Psd2.Core.Users;

namespace Psd2.Api.Tests;

/// <summary>What an entity holds once saved is what PostgreSQL gives back, to the microsecond, for every time it carries.</summary>
[Collection(StoresCollection.Name)]
public sealed class StoredTimeTests(RealStores stores) : IAsyncLifetime
{
    private readonly InProcessApi _api = InProcessApi.On(stores);

    [Fact]
    public async Task ASavedTimeEqualsTheTimeReadBack()
    {
        using var app = await TestClientApp.CreateAsync(_api);
        var precise = new DateTimeOffset(2026, 12, 7, 10, 11, 12, TimeSpan.Zero).AddTicks(1_234_567);
        var user = new EndUser { Id = Guid.NewGuid(), ClientAppId = app.Id, ExternalReference = "time", CreatedAt = precise };
        await using (var scope = _api.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<Psd2DbContext>();
            db.Users.Add(user);
            await db.SaveChangesAsync();
        }

        await using (var scope = _api.Services.CreateAsyncScope())
        {
            var read = await scope.ServiceProvider.GetRequiredService<Psd2DbContext>().Users.AsNoTracking().SingleAsync(u => u.Id == user.Id);
            Assert.Equal(read.CreatedAt, user.CreatedAt);
            Assert.Equal(precise.AddTicks(-7), user.CreatedAt);
        }
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _api.DisposeAsync();
}
