using System.Net;
using System.Text.Json;
using Psd2.IntegrationTests.Harness;
using Psd2.ServiceDefaults.RequestIds;

namespace Psd2.IntegrationTests.Foundation;

/// <summary>Request ids and ProblemDetails, as a client of the running api sees them.</summary>
[Collection(AppCollection.Name)]
public sealed class ServiceDefaultsTests(AppFixture fixture)
{
    private readonly HttpClient _api = fixture.App.CreateHttpClient("api");

    [Fact]
    public async Task CallersRequestIdIsEchoed()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/info") { Headers = { { RequestIdMiddleware.HeaderName, "client-42.a" } } };

        using var response = await _api.SendAsync(request);

        Assert.Equal("client-42.a", Assert.Single(response.Headers.GetValues(RequestIdMiddleware.HeaderName)));
    }

    [Fact]
    public async Task MissingOrUnsafeRequestIdIsReplacedByAGeneratedOne()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/info") { Headers = { { RequestIdMiddleware.HeaderName, "bad id\twith spaces" } } };

        using var response = await _api.SendAsync(request);
        using var plain = await _api.GetAsync("/info");

        Assert.True(Guid.TryParse(Assert.Single(response.Headers.GetValues(RequestIdMiddleware.HeaderName)), out _));
        Assert.True(Guid.TryParse(Assert.Single(plain.Headers.GetValues(RequestIdMiddleware.HeaderName)), out _));
    }

    [Fact]
    public async Task UnknownRouteIsAProblemDetailsWithCodeAndRequestId()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/no-such-thing") { Headers = { { RequestIdMiddleware.HeaderName, "trace-me" } } };

        using var response = await _api.SendAsync(request);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(404, problem.GetProperty("status").GetInt32());
        Assert.Equal("not_found", problem.GetProperty("code").GetString());
        Assert.Equal("trace-me", problem.GetProperty("requestId").GetString());
    }
}
