using System.Text.Json;
using Psd2.IntegrationTests.Harness;

namespace Psd2.IntegrationTests.Api;

/// <summary>
/// A fintech's first hour, with a client generated from the served OpenAPI document by a third-party generator
/// (openapi-typescript, checked by tsc in strict mode, calling through openapi-fetch): create a user, connect through
/// BankID, refresh, page every transaction, export them as CSV, and read the typed errors. See tests/tools/generated-client.mjs.
/// </summary>
[Collection(AppCollection.Name)]
public sealed class GeneratedClientTests(AppFixture fixture) : IDisposable
{
    private readonly BankTpp _bank = new(fixture.App);

    [Fact]
    public async Task AClientGeneratedFromTheOpenApiDocumentRunsTheReadmeJourney()
    {
        var app = await ClientAppCli.CreateAsync(fixture.App, ApiTestClient.ClientReturn);
        SeenSecrets.Add(SecretKind.ApiKey, app.Key);
        var psu = await _bank.CreatePsuAsync("ApproveAfterDelay", accounts: 2);
        using var anonymous = fixture.App.CreateHttpClient("api");
        var document = Path.Combine(Path.GetTempPath(), $"psd2-openapi-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(document, await anonymous.GetStringAsync("/openapi/v1.json"));

        NodeResult result;
        using (var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(4)))
        {
            result = await NodeTool.RunAsync("generated-client.mjs",
                ["--document", document, "--base-url", fixture.App.GetEndpoint("api").ToString().TrimEnd('/'), "--key", app.Key, "--psu", psu.PersonalNumber],
                deadline.Token);
        }

        File.Delete(document);
        Assert.True(result.ExitCode == 0, $"generated-client.mjs exited {result.ExitCode}:{Environment.NewLine}{result.Stderr}");
        var summary = JsonDocument.Parse(result.Stdout).RootElement;
        Assert.Equal("active", summary.GetProperty("connectionStatus").GetString());
        Assert.Equal("succeeded", summary.GetProperty("syncRunStatus").GetString());
        Assert.Equal(2, summary.GetProperty("accounts").GetInt32());
        Assert.Equal("api_key_missing", summary.GetProperty("missingKeyCode").GetString());
        Assert.Equal("not_found", summary.GetProperty("unknownUserCode").GetString());

        // What the generated client paged through is every transaction the api holds for the user, and the CSV has each once.
        using var api = ClientAppCli.ApiClient(fixture.App, app.Key);
        var userId = summary.GetProperty("userId").GetGuid();
        var held = 0;
        foreach (var account in (await api.GetFromJsonAsync<JsonElement>($"/v1/users/{userId}/accounts")).EnumerateArray())
        {
            for (string? cursor = ""; cursor is not null;)
            {
                var page = await api.GetFromJsonAsync<JsonElement>(
                    $"/v1/accounts/{account.GetProperty("id").GetGuid()}/transactions?limit=500" + (cursor.Length > 0 ? "&cursor=" + Uri.EscapeDataString(cursor) : ""));
                held += page.GetProperty("items").GetArrayLength();
                cursor = page.GetProperty("nextCursor").GetString();
            }
        }

        Assert.True(held > 0, "the PSU's accounts hold no transactions");
        Assert.Equal(held, summary.GetProperty("transactions").GetInt32());
        Assert.Equal(held, summary.GetProperty("csvRows").GetInt32());
        Assert.True(summary.GetProperty("pages").GetInt32() > 2, "the generated client did not page");
    }

    public void Dispose() => _bank.Dispose();
}
