using System.Net;
using System.Text.Json;
using Psd2.IntegrationTests.Harness;

namespace Psd2.IntegrationTests.Api;

/// <summary>The API describes itself: an OpenAPI document and an interactive UI, both readable without a key.</summary>
[Collection(AppCollection.Name)]
public sealed class OpenApiTests(AppFixture fixture)
{
    [Fact]
    public async Task OpenApiDocumentListsTheEndpointsAndTheApiKeyScheme()
    {
        using var api = fixture.App.CreateHttpClient("api");

        var document = await api.GetFromJsonAsync<JsonElement>("/openapi/v1.json");

        var paths = document.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();
        Assert.Contains("/v1/users", paths);
        Assert.Contains("/v1/users/{userId}", paths);
        Assert.Contains("/v1/institutions", paths);
        Assert.DoesNotContain(paths, p => p.StartsWith("/health", StringComparison.Ordinal));
        Assert.Equal("bearer", document.GetProperty("components").GetProperty("securitySchemes").GetProperty("ApiKey").GetProperty("scheme").GetString());
        Assert.Equal("CreateUser", document.GetProperty("paths").GetProperty("/v1/users").GetProperty("post").GetProperty("operationId").GetString());
    }

    [Fact]
    public async Task SwaggerUiServesItsPage()
    {
        using var api = fixture.App.CreateHttpClient("api");

        using var response = await api.GetAsync("/swagger/index.html");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("swagger-ui", await response.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
    }
}
