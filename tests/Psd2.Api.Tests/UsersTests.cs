using System.Net;
using System.Net.Http.Json;

namespace Psd2.Api.Tests;

/// <summary>Users through the api in-process on real PostgreSQL: idempotent creation, keyset paging, isolation between apps.</summary>
[Collection(StoresCollection.Name)]
public sealed class UsersTests(RealStores stores) : IAsyncLifetime
{
    private readonly InProcessApi _api = InProcessApi.On(stores);

    private sealed record User(Guid Id, string ExternalReference, DateTimeOffset CreatedAt);

    private sealed record UserPage(List<User> Items, string? NextCursor);

    [Fact]
    public async Task CreatingTwiceWithTheSameReferenceGivesTheSameUser()
    {
        using var app = await TestClientApp.CreateAsync(_api);

        using var first = await app.Api.PostAsJsonAsync("/v1/users", new { externalReference = "customer-42" });
        using var second = await app.Api.PostAsJsonAsync("/v1/users", new { externalReference = " customer-42 " });

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        var created = (await first.Content.ReadFromJsonAsync<User>())!;
        Assert.Equal(created, await second.Content.ReadFromJsonAsync<User>());
        Assert.Equal($"/v1/users/{created.Id}", first.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task PagesHoldEveryUserOnceInCreationOrderAndAnotherAppSeesNone()
    {
        using var app = await TestClientApp.CreateAsync(_api);
        using var other = await TestClientApp.CreateAsync(_api);
        var created = new List<Guid>();
        for (var i = 0; i < 7; i++)
        {
            using var response = await app.Api.PostAsJsonAsync("/v1/users", new { externalReference = $"u{i}" });
            created.Add((await response.Content.ReadFromJsonAsync<User>())!.Id);
        }

        var paged = new List<Guid>();
        var pages = 0;
        for (string? cursor = null; pages == 0 || cursor is not null; pages++)
        {
            var page = (await app.Api.GetFromJsonAsync<UserPage>("/v1/users?limit=3" + (cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor))))!;
            paged.AddRange(page.Items.Select(u => u.Id));
            cursor = page.NextCursor;
        }

        Assert.Equal(3, pages);
        Assert.Equal(created, paged);
        Assert.Empty((await other.Api.GetFromJsonAsync<UserPage>("/v1/users"))!.Items);
        using var foreign = await other.Api.GetAsync($"/v1/users/{created[0]}");
        Assert.Equal(HttpStatusCode.NotFound, foreign.StatusCode);
    }

    [Theory]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=201", "limit")]
    [InlineData("cursor=bm90LWEtY3Vyc29y", null)]
    public async Task ABadLimitOrCursorIsA400NamingIt(string query, string? field)
    {
        using var app = await TestClientApp.CreateAsync(_api);

        using var response = await app.Api.GetAsync("/v1/users?" + query);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();
        Assert.Equal(field is null ? "cursor_invalid" : "validation_failed", problem.GetProperty("code").GetString());
        if (field is not null)
        {
            Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
        }
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _api.DisposeAsync();
}
