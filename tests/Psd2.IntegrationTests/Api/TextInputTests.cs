using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Psd2.IntegrationTests.Harness;

namespace Psd2.IntegrationTests.Api;

/// <summary>
/// Free text with characters PostgreSQL cannot store (NUL) or that a log or spreadsheet would misread is refused at
/// the edge, as a 400 naming the field, and nothing is written: never a 500, never a download cut part way.
/// </summary>
[Collection(AppCollection.Name)]
public sealed class TextInputTests(AppFixture fixture)
{
    private static readonly string[] Bad = ["a\0b", "line\nbreak", "tab\there", "bell\u0007", "next\u0085line"];

    [Fact]
    public async Task ControlCharactersInTextFieldsAndFiltersAre400ValidationFailedNamingTheField()
    {
        using var client = await ApiTestClient.CreateAsync(fixture.App);
        var usersBefore = await UsersAsync(client);

        foreach (var text in Bad)
        {
            await AssertRefusedAsync(await client.Api.PostAsJsonAsync("/v1/users", new { externalReference = text }), "externalReference");
            await AssertRefusedAsync(await client.Api.PostAsJsonAsync("/v1/webhook-endpoints",
                new { url = "https://hooks.example.com/psd2", eventTypes = new[] { "sync.completed" }, description = text }), "description");
            var query = "text=" + Uri.EscapeDataString(text);
            await AssertRefusedAsync(await client.Api.GetAsync($"/v1/users/{client.UserId}/export?format=xlsx&{query}"), "text");
            await AssertRefusedAsync(await client.Api.GetAsync($"/v1/users/{client.UserId}/export?format=csv&{query}"), "text");
            await AssertRefusedAsync(await client.Api.GetAsync($"/v1/accounts/{Guid.NewGuid()}/transactions?{query}"), "text");
        }

        Assert.Equal(usersBefore, await UsersAsync(client));
        Assert.Equal(0, (await client.Api.GetFromJsonAsync<JsonElement>("/v1/webhook-endpoints")).GetArrayLength());

        // Letters beyond ASCII, emoji (a surrogate pair) and a space are text like any other.
        using var accepted = await client.Api.PostAsJsonAsync("/v1/users", new { externalReference = "Åsa Öberg 🙂 #7" });
        Assert.Equal(HttpStatusCode.Created, accepted.StatusCode);
    }

    private static async Task AssertRefusedAsync(HttpResponseMessage response, string field)
    {
        using (response)
        {
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest,
                $"{response.RequestMessage!.Method} {response.RequestMessage.RequestUri!.PathAndQuery}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal("validation_failed", problem.GetProperty("code").GetString());
            Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"the problem names no field {field}: {problem}");
        }
    }

    private static async Task<int> UsersAsync(ApiTestClient client) =>
        (await client.Api.GetFromJsonAsync<JsonElement>("/v1/users?limit=200")).GetProperty("items").GetArrayLength();
}
